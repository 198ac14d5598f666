#!/usr/bin/env bash
# A harness killed with SIGKILL takes its agents with it (issue 12): a
# stoppable aggressor (cpu-hog, whose duration is its maximum, an hour) must
# not outlive it and burn a CPU. The agents die by themselves (death signal,
# EOF on their control pipe), before any `cvbench cleanup`; cleanup is left
# with the cgroups and rootfs only.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

echo "agents die with their harness"

if [ "$(id -u)" -ne 0 ]; then
	skip "orphans" "needs root for cgroups and namespaces"
	finish
	exit $?
fi

# gone_within SECONDS RUN_ID: no process of the run is left by then.
gone_within() {
	local end=$((SECONDS + $1))
	while [ $SECONDS -le "$end" ]; do
		no_leftovers "$2" >/dev/null && return 0
		sleep 0.05
	done
	no_leftovers "$2"
}

# left_nothing RUN_ID: nothing_left, for that run only (another run on the
# host is not this test's business).
left_nothing() {
	local l
	l=$(leftovers | grep -F -- "cvb-$1")
	[ -z "$l" ] || { echo "$l"; return 1; }
	no_leftovers "$1"
}

# --reps 50: the run must outlast the polling for its hog on a slow guest;
# it is SIGKILLed as soon as the hog is seen.
for backend in native container; do
	$CVBENCH run --backend "$backend" --workload cpu-victim --scenario cpu-hog \
		--reps 50 --warmup 0 --quiet --out "$TMP/$backend.json" >"$TMP/$backend.log" 2>&1 &
	pid=$!
	read -r hog rid < <(hog_of $pid)
	if [ -z "$rid" ]; then
		fail "$backend: a cpu-hog agent of the run comes up" "$(tail -n 3 "$TMP/$backend.log")"
		kill -KILL $pid 2>/dev/null
		wait $pid 2>/dev/null
		$CVBENCH cleanup >/dev/null 2>&1
		continue
	fi
	pass "$backend: cpu-hog agent $hog of run $rid is up"
	kill -KILL $pid
	wait $pid 2>/dev/null
	check "$backend: within 5 s of SIGKILL to cvbench no agent of the run is left (no cleanup)" \
		gone_within 5 "$rid"
	check "$backend: cvbench cleanup removes the rest" sh -c "$CVBENCH cleanup >/dev/null"
	check "$backend: then nothing of the run is left" left_nothing "$rid"
done

finish
