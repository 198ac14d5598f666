#!/bin/sh
# An agent that never says anything and never exits by itself.
exec sleep 600
