#!/bin/sh
# An agent that says READY, then sends facts with distinct names without end.
echo "READY 1"
exec awk 'BEGIN { for (i = 0;; i++) printf "{\"fact\":\"f%d\",\"value\":1}\n", i }'
