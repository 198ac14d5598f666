#!/bin/sh
# READY, then a line that is no protocol, holding bytes that are not UTF-8
# and a terminal escape, then DONE.
printf 'READY 1\n'
printf 'junk \233\342\202 \033[2J\n'
printf 'DONE 0\n'
