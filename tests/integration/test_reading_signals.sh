#!/usr/bin/env bash
# The reading commands (export, export --summary, compare, report, merge,
# plot) stop on SIGTERM/SIGINT/SIGHUP with exit 130 and write nothing. No
# timing is involved: each command reads a FIFO, and the signal is sent
# only once /proc says it is blocked there, in open() (no writer yet) or
# in read() (a writer sent half a document and holds the pipe open); a
# command that did not stop would wait forever, so the bound on its exit
# (5 s) is one no noise can reach. It launches no measurement and takes a
# few seconds.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

echo "reading commands and stop signals"

FIX=tests/fixtures/reports/vm-create-52s.json

# catches PID: true once PID has handlers for SIGHUP, SIGINT and SIGTERM
# (bits 0, 1 and 14 of SigCgt in /proc/PID/status).
catches() {
	local mask
	mask=$(awk '/^SigCgt:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$mask" ] && [ $((0x$mask & 0x4003)) -eq $((0x4003)) ]
}

# blocked_in PID SYSCALL: waits (up to 5 s) until PID sits in that system
# call (x86-64 numbers: openat 257, read 0) with its stop handlers in
# place, so that the signal meets the handler and not the default action
# of a process still starting (the dynamic loader's own openat calls of
# shared libraries come before any handler).
blocked_in() {
	local pid=$1 nr=$2 i
	for i in $(seq 1 500); do
		read -r cur _ <"/proc/$pid/syscall" 2>/dev/null || return 1
		[ "$cur" = "$nr" ] && catches "$pid" && return 0
		sleep 0.01
	done
	return 1
}

# exits_within PID SECONDS: sets RC to PID's exit status once it ends, or
# to "alive" (and kills it) when it has not within SECONDS. Not in a
# subshell: only this shell can wait for its child.
exits_within() {
	local pid=$1 i
	for i in $(seq 1 $(($2 * 100))); do
		if ! kill -0 "$pid" 2>/dev/null || [ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" = Z ]; then
			wait "$pid"
			RC=$?
			return
		fi
		sleep 0.01
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	RC=alive
}

# stops NAME SIGNAL MODE OUTPUT ARGS...: runs cvbench ARGS (reading the
# FIFO $F), sends SIGNAL once it blocks (MODE open: before any writer;
# read: after half a document), and expects exit 130 within 5 s, one
# stderr line saying so, and no OUTPUT (a file or directory) left.
stops() {
	local name=$1 sig=$2 mode=$3 output=$4 pid rc nr=257 w
	shift 4
	rm -f "$F"
	mkfifo "$F"
	$CVBENCH "$@" >"$TMP/sig.out" 2>"$TMP/sig.err" &
	pid=$!
	if [ "$mode" = read ]; then
		nr=0
		exec {w}>"$F" # returns once cvbench has opened the FIFO
		head -c 4000 "$FIX" >&"$w"
	fi
	if ! blocked_in "$pid" "$nr"; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		[ "$mode" = read ] && exec {w}>&-
		fail "$name" "never blocked in syscall $nr"
		return
	fi
	kill "-$sig" "$pid"
	exits_within "$pid" 5
	rc=$RC
	[ "$mode" = read ] && exec {w}>&-
	if [ "$rc" = 130 ] && grep -q "interrupted by signal" "$TMP/sig.err" &&
		[ "$(wc -l <"$TMP/sig.err")" -eq 1 ] && [ ! -e "$output" ] &&
		[ -z "$(find "$TMP" -name '.*.tmp.*' 2>/dev/null)" ]; then
		pass "$name -> exit 130: $(cat "$TMP/sig.err")"
	else
		fail "$name" "exit $rc, stderr: $(head -c 300 "$TMP/sig.err" | tr '\n' ' ')$([ -e "$output" ] && echo ", $output written")"
	fi
}

F="$TMP/in.fifo"
O="$TMP/out"

stops "export, SIGTERM while waiting for a writer" TERM open "$O.csv" \
	export --csv "$F" --out "$O.csv"
stops "export --summary, SIGINT while reading" INT read "$O.csv" \
	export --csv --summary "$F" --out "$O.csv"
stops "compare, SIGTERM while waiting for a writer" TERM open "$O.txt" \
	compare "$F" "$FIX" --out "$O.txt"
stops "compare, SIGTERM while reading" TERM read "$O.txt" \
	compare "$F" "$FIX" --out "$O.txt"
stops "compare, SIGHUP while reading" HUP read "$O.txt" \
	compare "$FIX" "$F" --out "$O.txt"
stops "report, SIGTERM while reading" TERM read "$O/report.md" \
	report "$F" --out-dir "$O"
stops "merge, SIGINT while waiting for a writer" INT open "$O.json" \
	merge "$O.json" "$F" "$FIX"
stops "merge, SIGTERM while reading" TERM read "$O.json" \
	merge "$O.json" "$FIX" "$F"
stops "plot, SIGTERM while reading" TERM read "$O/plots" \
	plot "$F" --out-dir "$O/plots"

# The issue's case: a parent that ignores SIGTERM (its disposition is
# inherited across exec) must not make compare unstoppable.
rm -f "$F"
mkfifo "$F"
(
	trap '' TERM
	exec $CVBENCH compare "$F" "$FIX"
) >"$TMP/sig.out" 2>"$TMP/sig.err" &
pid=$!
if blocked_in "$pid" 257; then
	kill -TERM "$pid"
	exits_within "$pid" 5
	rc=$RC
	if [ "$rc" = 130 ]; then
		pass "compare started with SIGTERM ignored still stops on it -> exit 130"
	else
		fail "compare started with SIGTERM ignored" "exit $rc: $(head -c 300 "$TMP/sig.err")"
	fi
else
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	fail "compare started with SIGTERM ignored" "never blocked in open"
fi

# And without a signal the same commands finish normally on the fixture.
check "export --summary of the fixture exits 0" $CVBENCH export --csv --summary "$FIX" --out "$TMP/ok.csv"
check "compare of the fixture with itself exits 0" $CVBENCH compare "$FIX" "$FIX" --out "$TMP/ok.txt"
finish
