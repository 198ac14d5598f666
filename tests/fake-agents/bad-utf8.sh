#!/bin/sh
# READY, a fact whose name and value hold bytes that are not UTF-8 and
# control characters (raw, and escaped in the JSON), then DONE.
printf 'READY 1\n'
printf '{"fact":"kernel\377","value":"a\355\240\200b \\u001b[2J \033]0;x\007"}\n'
printf 'DONE 0\n'
