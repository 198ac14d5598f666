#!/bin/sh
# READY, then a result line that is not JSON, then DONE.
echo "READY 1"
echo '{"metric": "x", "value": }'
echo "DONE 0"
