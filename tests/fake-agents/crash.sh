#!/bin/sh
# An agent that says READY and then dies of a signal before DONE.
echo "READY 1"
kill -SEGV $$
