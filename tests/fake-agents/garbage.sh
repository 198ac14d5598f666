#!/bin/sh
# A broken agent: prints garbage and never says READY.
echo "this is not the protocol"
echo "%%%% neither is this"
exit 0
