#!/bin/sh
# An agent that says READY and DONE 0, then does not exit.
echo "READY 1"
echo "DONE 0"
exec sleep 600
