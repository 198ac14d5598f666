#!/bin/sh
# An agent that writes console noise without pause and never says READY.
exec yes
