#!/bin/sh
# An agent that says READY, then writes short lines without pause and never
# ends: faster than the harness parses them.
echo "READY 1"
exec yes
