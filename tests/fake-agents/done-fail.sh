#!/bin/sh
# A well-behaved protocol stream that reports failure.
echo "READY 1"
echo "DONE 3"
exit 3
