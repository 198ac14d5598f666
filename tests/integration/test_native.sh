#!/usr/bin/env bash
# End to end on the native backend: the CLI, the results file and its schema,
# bad input, broken agents, interruption, and nothing left behind.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

echo "native backend, end to end"

# --- the CLI answers -------------------------------------------------------
check "cvbench --version" sh -c "$CVBENCH --version | grep -q '^cvbench [0-9]'"
check "cvbench --help lists commands" sh -c "$CVBENCH --help | grep -q 'run'"
check "cvbench run --help documents defaults" sh -c "$CVBENCH run --help | grep -q 'default: 30'"
check "cvbench list shows native available" sh -c "$CVBENCH list | grep -Eq '^  native +available'"
check "cvbench list shows workloads" sh -c "$CVBENCH list | grep -q '^  idle'"
check "cvbench env prints the cgroup mode" sh -c "$CVBENCH env | grep -Eq 'cgroup.*(v1|v2|hybrid|none)'"
check "cvbench env --json is JSON with host facts" sh -c "$CVBENCH env --json | jq -e '.cgroup.mode and .topology.pus >= 1 and (.kernel.release|type==\"string\")'"
check "the agent is a static executable" sh -c "file -L $BUILD/cvb-agent | grep -q 'statically linked'"

# --- the done-when run: 50 samples, valid file ------------------------------
out="$TMP/r.json"
if $CVBENCH run --backend native --workload ready --reps 50 --out "$out" >"$TMP/run.log" 2>&1; then
	pass "run native/ready --reps 50 exits 0"
else
	fail "run native/ready --reps 50 exits 0" "$(tail -n 3 "$TMP/run.log")"
fi
check "results validate against the schema" validate "$out"
check "50 startup samples and a summary of 50" jq -e '.cells[0].metrics.startup_ns | (.samples|length)==50 and .summary.n==50 and .summary.p50 > 0' "$out"
check "warm-ups counted, not summarised" jq -e '.cells[0].launch_counts | .warmup==3 and .total==53 and .measured_ok==50' "$out"
check "every launch has phases and a clean exit" jq -e '[.cells[0].launches[] | .status=="ok" and .phases_ns.spawned > 0 and .phases_ns.ready > .phases_ns.spawned and .exit.code==0] | all' "$out"
check "host facts and tool recorded" jq -e '.host.cgroup.mode and .tool.name=="cvbench" and .config.statistics.bootstrap_seed' "$out"
check "no temporary file left beside the result" sh -c "! ls -A $TMP | grep -q '\.tmp\.'"

# --- idle: measured while it rests, then stopped ---------------------------
out="$TMP/idle.json"
check "run native/idle exits 0" $CVBENCH run --backend native --workload idle --reps 3 --warmup 0 --settle-ms 20 --quiet --out "$out"
check "idle records host memory per launch" jq -e '.cells[0].metrics | (.host_pss_bytes.samples|length)==3 and (.host_rss_bytes.samples|min) > 0' "$out"
check "idle stops when asked, not killed" jq -e '[.cells[0].launches[] | .exit.killed_by_cvbench==false and .exit.code==0] | all' "$out"
check "interleaved cells: ready,idle in one run" $CVBENCH run --workload ready,idle --reps 2 --warmup 0 --settle-ms 0 --quiet --out "$TMP/two.json"
check "two cells, launches interleaved" jq -e '(.cells|length)==2 and ([.cells[].launch_counts.measured_ok]==[2,2])' "$TMP/two.json"

# --- pinning ---------------------------------------------------------------
check "--pin auto records the CPU chosen" sh -c "$CVBENCH run --reps 2 --warmup 0 --pin auto --quiet --out $TMP/pin.json && jq -e '.cells[0].pinned_cpus|test(\"^[0-9]+\$\")' $TMP/pin.json"
check "--pin 0 runs the agent on CPU 0" sh -c "$CVBENCH run --workload idle --reps 1 --warmup 0 --pin 0 --quiet --out $TMP/pin0.json && jq -e '.cells[0].pinned_cpus==\"0\"' $TMP/pin0.json"

# --- bad input: exit 2, one line, no file ---------------------------------
usage_error "unknown backend" --backend nosuch
usage_error "unknown workload" --workload nosuch
usage_error "unknown option" --frobnicate
usage_error "--reps 0" --reps 0
usage_error "--reps negative" --reps -5
usage_error "--reps overflowing" --reps 99999999999999999999999
usage_error "--warmup not a number" --warmup many
usage_error "--timeout 0" --timeout 0
usage_error "--param unknown" --workload idle --param nosuch=1
usage_error "--param out of range" --workload idle --param max_s=0
usage_error "--pin beyond the host" --pin 4096
usage_error "missing agent" --agent /nonexistent/cvb-agent
check "unwritable --out: exit 2, no file" sh -c "$CVBENCH run --out /nonexistent-dir/r.json 2>$TMP/e; [ \$? -eq 2 ] && grep -q 'cannot write results' $TMP/e"
check "--out is a directory: exit 2" sh -c "$CVBENCH run --out $TMP 2>$TMP/e; [ \$? -eq 2 ] && grep -q 'is a directory' $TMP/e"
check "unknown command: exit 2" sh -c "$CVBENCH frob 2>/dev/null; [ \$? -eq 2 ]"

# --- broken agents: exit 1, a valid file that says why ---------------------
broken() { # NAME AGENT EXPECTED-REASON-REGEX [ARGS...]
	local name=$1 agent=$2 re=$3
	shift 3
	local out="$TMP/broken.json"
	rm -f "$out"
	$CVBENCH run --agent "tests/fake-agents/$agent" --reps 5 --warmup 0 --quiet --out "$out" "$@" 2>"$TMP/broken.err"
	local rc=$?
	if [ $rc -eq 1 ] && validate "$out" >/dev/null 2>&1 &&
		jq -e --arg re "$re" '.status=="failed" and .cells[0].status=="failed" and (.cells[0].reason|test($re)) and (.cells[0].metrics|length)==0' "$out" >/dev/null; then
		pass "$name -> failed cell: $(jq -r '.cells[0].reason' "$out" | cut -c1-110)"
	else
		fail "$name" "rc=$rc $(jq -c '.cells[0].reason' "$out" 2>&1) $(cat "$TMP/broken.err")"
	fi
}
broken "agent prints garbage" garbage.sh "without READY"
broken "agent crashes after READY" crash.sh "without DONE.*signal 11"
broken "agent sends a malformed result" bad-result.sh "malformed result line"
broken "agent reports DONE 3" done-fail.sh "DONE 3"
broken "agent never says READY" silent.sh "timed out after 0.5 s waiting for READY" --timeout 0.5
# Counted in the file, not timed: a loaded host stretches the wall clock.
check "a silent agent costs 3 timeouts, not reps x timeout" jq -e '.cells[0] |
	.launch_counts.total == 3 and .launch_counts.failed == 3 and (.launches | length == 3 and
	 all(.status == "failed" and (.reason | test("timed out after 0.5 s"))))' "$TMP/broken.json"
check "no fake agent survives" no_process 'fake-agents/silent.sh|sleep 600$' 
broken "agent sends bytes that are not UTF-8" bad-utf8-line.sh "unexpected agent output 'junk \\?\\?\\? \\?\\[2J'"
# What an agent sends reaches the file as valid UTF-8 without controls.
utf8_strict() { /usr/bin/python3 -c 'import json,sys; json.loads(open(sys.argv[1],"rb").read().decode("utf-8"))' "$1"; }
check "...and the file is strict UTF-8 JSON" utf8_strict "$TMP/broken.json"
$CVBENCH run --agent tests/fake-agents/bad-utf8.sh --reps 1 --warmup 0 --quiet --out "$TMP/u.json" 2>/dev/null
check "a fact with bytes that are not UTF-8: kept, '?' for each bad byte" jq -e \
	'.cells[0].launches[0].facts == {"kernel?": "a???b ?[2J ?]0;x?"}' "$TMP/u.json"
check "...and the file is strict UTF-8 JSON" utf8_strict "$TMP/u.json"

# agent_pids PID: the agents the run PID has running now (its children).
agent_pids() { pgrep -P "$1" -f "$BUILD/cvb-agent" 2>/dev/null; }

# --- interruption: keep what was measured, leave nothing ------------------
# Interrupted once a second agent is up, so the first launch has ended
# (polled, not slept: a loaded host makes every launch slower).
out="$TMP/int.json"
$CVBENCH run --workload idle --reps 1000 --warmup 0 --settle-ms 300 --quiet --out "$out" 2>"$TMP/int.err" &
pid=$!
first="" now=""
for _ in $(seq 600); do
	now=$(agent_pids $pid | head -n1)
	[ -z "$first" ] && first=$now
	[ -n "$now" ] && [ "$now" != "$first" ] && break
	sleep 0.05
done
kill -INT $pid
wait $pid
rc=$?
run_id=$(jq -r .run_id "$out" 2>/dev/null)
check "SIGINT: exit 130" test $rc -eq 130
check "SIGINT: file valid and incomplete" sh -c "validate() { /usr/bin/python3 -m jsonschema -i \"\$1\" $SCHEMA; }; validate $out && jq -e '.status==\"incomplete\" and .cells[0].status==\"incomplete\" and .cells[0].launch_counts.measured_ok >= 1' $out"
check "SIGINT: no agent of the run remains" no_leftovers "$run_id"

# A killed harness: the agent sees its input close and ends by itself.
$CVBENCH run --workload idle --reps 1000 --warmup 0 --settle-ms 5000 --quiet --out "$TMP/k.json" &
pid=$!
for _ in $(seq 200); do [ -n "$(agent_pids $pid)" ] && break; sleep 0.05; done
agents_before=$(pgrep -c -f "$BUILD/cvb-agent idle" || true)
kill -KILL $pid
wait $pid 2>/dev/null
# It ends when it reads EOF: waited for (up to 10 s), not a fixed sleep.
for _ in $(seq 200); do pgrep -f "$BUILD/cvb-agent idle" >/dev/null || break; sleep 0.05; done
check "SIGKILL: an agent was running before" test "$agents_before" -ge 1
check "SIGKILL: its agent ended on its own" no_process "$BUILD/cvb-agent idle"
check "SIGKILL: no result file, no temporary file" sh -c "[ ! -e $TMP/k.json ] && ! ls -A $TMP | grep -q '^\.k\.json\.tmp'"

# --- the agent as PID 1 (a container's init) ------------------------------
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
	check "agent as PID 1 of a PID namespace says READY and DONE 0" sh -c "unshare --pid --fork --mount $BUILD/cvb-agent ready | grep -qx 'DONE 0'"
else
	skip "agent as PID 1" "needs root and unshare(1)"
fi

# --- flooding agents: the run still ends, bounded, and leaves nothing -----
# Under `timeout 60`, so that a harness stuck reading fails here instead of
# hanging CI; 30 s for a run bounded by --timeout 1 is beyond any noise.
flood() { # NAME AGENT EXPECTED-REASON-REGEX LEFTOVER-REGEX (the writer it execs)
	local name=$1 agent=$2 re=$3 left=$4 out="$TMP/flood.json" t0 t1 rc
	rm -f "$out"
	t0=$(date +%s)
	timeout -s KILL 60 $CVBENCH run --agent "tests/fake-agents/$agent" --reps 1 --warmup 0 \
		--timeout 1 --quiet --out "$out" 2>"$TMP/flood.err"
	rc=$?
	t1=$(date +%s)
	if [ $rc -eq 1 ] && [ $((t1 - t0)) -le 30 ] && validate "$out" >/dev/null 2>&1 &&
		jq -e --arg re "$re" '.cells[0].status=="failed" and (.cells[0].reason|test($re))' "$out" >/dev/null; then
		pass "$name -> ends in $((t1 - t0)) s: $(jq -r '.cells[0].reason' "$out" | cut -c1-100)"
	else
		fail "$name" "rc=$rc after $((t1 - t0)) s $(jq -c '.cells[0].reason' "$out" 2>&1 | cut -c1-200) $(head -c 300 "$TMP/flood.err")"
	fi
	check "$name: no fake agent left" no_process "fake-agents/$agent|$left"
}
flood "agent floods output after READY" flood.sh "more than 1 MiB of output" '^yes$'
flood "agent floods noise before READY" noise-flood.sh "timed out after 1.0 s waiting for READY" '^yes$'
flood "agent sends endless distinct facts" fact-flood.sh "more than 256 facts" '^awk BEGIN.*fact'

finish
