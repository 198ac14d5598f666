#!/bin/sh
# An agent that says READY, then neither reports nor ends, and ignores STOP.
echo "READY 1"
exec sleep 600
