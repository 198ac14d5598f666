#!/usr/bin/env bash
# The aggressor/probe workloads (cpu-hog, mem-hog, fork-hog) on the native
# backend: their metrics are there and sane, the files validate, and no hog
# or child of one outlives its run, even a SIGKILLed one. Then the
# noisy-neighbour victims (cpu-, mem-, wake-victim) and the io-hog aggressor
# on native and, as root, container: every metric positive, facts reported.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

echo "workloads: cpu-hog, mem-hog, fork-hog, syscall, victims, io-hog"

AGENT="$BUILD/cvb-agent"
HOGS='cvb-agent (cpu|mem|fork)-hog'

# run_hog NAME FILE ARGS...: one native run of 2 measured launches.
run_hog() {
	local name=$1 out=$2
	shift 2
	check "run native/$name exits 0" "$CVBENCH" run --backend native --workload "$name" \
		--reps 2 --warmup 0 --settle-ms 0 --quiet --out "$out" "$@"
	check "$name: results validate against the schema" validate "$out"
	check "$name: both launches ok, clean exits" jq -e '.cells[0].status=="ok" and
		([.cells[0].launches[] | .status=="ok" and .exit.code==0] | all and length==2)' "$out"
}

# --- cpu-hog ----------------------------------------------------------------
out="$TMP/cpu.json"
run_hog cpu-hog "$out" --param duration_ms=300
check "cpu-hog: its three metrics, 2 samples each, declared units" jq -e '.cells[0].metrics |
	(.cpu_hog_cpu_ns.samples|length)==2 and .cpu_hog_cpu_ns.unit=="ns" and
	(.cpu_hog_cpu_share.samples|length)==2 and .cpu_hog_cpu_share.unit=="fraction" and
	(.cpu_hog_loops_per_s.samples|length)==2 and .cpu_hog_loops_per_s.unit=="ops/s"' "$out"
# How much CPU an unconfined hog gets is this host's load (no lower bound on
# the share or the loop rate). Certain: one thread cannot get more CPU than
# wall time (share <= 1, with 5% for the clocks' reads), and the hog burns
# until its wall clock passes duration_ms (wall = CPU / share >= 300 ms, to
# 1 us for the printed precision of the share).
check "cpu-hog: CPU share in (0, 1.05], wall time >= duration_ms (CPU / share)" jq -e '.cells[0].metrics |
	(.cpu_hog_cpu_share.samples | all(. > 0 and . <= 1.05)) and
	([.cpu_hog_cpu_ns.samples, .cpu_hog_cpu_share.samples] | transpose | all(.[0] / .[1] >= 299999000))' "$out"
# CPU time cannot pass the wall time spent before the deadline (300 ms) by
# more than the last loop chunk; preemption adds wall time, never CPU.
check "cpu-hog: CPU time within 300 ms x 1.05, loops > 0" jq -e '.cells[0].metrics |
	(.cpu_hog_cpu_ns.samples | all(. > 0 and . <= 315e6 * 1.05)) and (.cpu_hog_loops_per_s.samples | all(. > 0))' "$out"

# --- mem-hog ----------------------------------------------------------------
out="$TMP/mem.json"
run_hog mem-hog "$out" --param mib=24 --param duration_ms=200
check "mem-hog: touched == 24 MiB in every launch" jq -e '.cells[0].metrics.mem_hog_touched_bytes |
	.unit=="bytes" and (.samples|length)==2 and (.samples | all(. == 24 * 1048576))' "$out"
# The rate is this host's speed and load; that it streamed at all is certain
# (at least one chunk before the first clock read).
check "mem-hog: bandwidth measured (> 0 bytes/s)" jq -e '.cells[0].metrics.mem_hog_bandwidth_bytes_per_s |
	.unit=="bytes/s" and (.samples|length)==2 and (.samples | all(. > 0))' "$out"
# An address-space limit makes mmap fail whatever the overcommit policy:
# DONE 1 and not one line between READY and it.
check "mem-hog: mmap failure -> READY, DONE 1, nothing else" sh -c \
	"ulimit -v 200000; $AGENT mem-hog mib=1024 duration_ms=0 >$TMP/mf.out 2>&1; [ \$? -eq 1 ] &&
	 [ \$(wc -l <$TMP/mf.out) -eq 2 ] && grep -q '^READY ' $TMP/mf.out && tail -n1 $TMP/mf.out | grep -qx 'DONE 1'"

# --- fork-hog ---------------------------------------------------------------
out="$TMP/fork.json"
run_hog fork-hog "$out" --param procs=20 --param duration_ms=200
# How many forks fit in 200 ms is this host's speed: the peak is bounded by
# procs, each child counted once (forks >= peak), none refused without a
# limit. Reaching all 20 is checked by hand below, with seconds to do it.
check "fork-hog: 1 <= peak <= 20, forks >= peak, no failures without a limit" jq -e '.cells[0].metrics |
	([.fork_hog_forks.samples, .fork_hog_peak_procs.samples] | transpose | length==2 and all(.[1] >= 1 and .[1] <= 20 and .[0] >= .[1])) and
	(.fork_hog_fork_failures.samples | all(. == 0)) and .fork_hog_forks.unit=="count"' "$out"

# The agent parses NAME=VALUE in place, so once running its command line
# reads "procs 20": hence "." for "=" in the patterns below.

# By hand, outside the harness (which kills the agent's process group): the
# hog reaps its own children.
check "fork-hog by hand: DONE 0" sh -c "$AGENT fork-hog procs=20 duration_ms=100 | grep -qx 'DONE 0'"
check "fork-hog by hand: no child left" no_process "$AGENT fork-hog procs.20 duration_ms.100"

# A SIGKILLed hog cannot reap: its children must die with it.
$AGENT fork-hog procs=20 duration_ms=8000 </dev/null >/dev/null 2>&1 &
pid=$!
for _ in $(seq 140); do # up to 7 s of its 8 s
	[ "$(pgrep -c -P $pid)" -ge 20 ] && break
	sleep 0.05
done
children=$(pgrep -c -P $pid)
{
	kill -KILL $pid
	wait $pid
} 2>/dev/null # not bash's "Killed" job notice
sleep 0.2
check "fork-hog SIGKILLed: it had 20 children" test "$children" -eq 20
check "fork-hog SIGKILLed: its children died with it" no_process "$AGENT fork-hog procs.20 duration_ms.8000"

# --- as PID 1 (a container's init) ------------------------------------------
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
	for w in "cpu-hog duration_ms=100" "mem-hog mib=8 duration_ms=50" "fork-hog procs=10 duration_ms=200"; do
		check "as PID 1: $w -> DONE 0" sh -c "unshare --pid --fork --mount $AGENT $w | grep -qx 'DONE 0'"
	done
else
	skip "hogs as PID 1" "needs root and unshare(1)"
fi

check "no hog and no child of one remains" no_process "$HOGS"
out="$TMP/sys.json"
check "native syscall workload (short)" $CVBENCH run --backend native --workload syscall --param target_ms=2 --param repeats=3 --reps 2 --warmup 0 --quiet --out "$out"
# The costs themselves are this host's speed and load (a preempted loop costs
# more, a preempted empty loop makes the op look cheaper): not asserted.
check "syscall metrics: 8 operations, net of the loop's cost (>= 0), iterations and overhead recorded" jq -e '.cells[0] |
	([.metrics | to_entries[] | select(.key | startswith("syscall_"))] | length == 8 and
	 all(.value.unit == "ns" and (.value.samples | length == 2 and all(type == "number" and . >= 0)))) and
	([.launches[] | .facts.syscall_getppid_iters >= 1 and .facts.syscall_getppid_overhead_ns >= 0] | length == 2 and all)' "$out"
check "syscall results validate" validate "$out"

# --- victims and io-hog, native and container --------------------------------
backends=native
if [ "$(id -u)" -eq 0 ] && $CVBENCH list | grep -Eq '^  container +available'; then
	backends=native,container
else
	skip "victims and io-hog in a container" "container backend not available here"
fi
# positive FILE WORKLOAD METRIC...: in every cell of the workload, each metric
# has 2 samples, all > 0.
positive() {
	local file=$1 w=$2
	shift 2
	jq -e --arg w "$w" '[.cells[] | select(.workload==$w)] as $c | ($c|length) > 0 and
		([$c[] | .status=="ok" and (.metrics as $m | $ARGS.positional |
		 all(. as $k | ($m[$k].samples | length==2 and all(. > 0))))] | all)' "$file" --args "$@"
}
out="$TMP/victims.json"
check "run $backends x cpu-/mem-/wake-victim (small)" $CVBENCH run --backend $backends \
	--workload cpu-victim,mem-victim,wake-victim --param units=20 --param size_mib=8 \
	--param accesses=50000 --param wakeups=50 --reps 2 --warmup 0 --quiet --out "$out"
check "victims: results validate against the schema" validate "$out"
check "cpu-victim: metrics positive" positive "$out" cpu-victim \
	victim_total_ns unit_p50_ns unit_p99_ns units_per_s
check "cpu-victim: unit p50 <= p99, units in ops/s" jq -e '[.cells[] | select(.workload=="cpu-victim") |
	.metrics | ([.unit_p50_ns.samples, .unit_p99_ns.samples] | transpose | all(.[0] <= .[1])) and
	.units_per_s.unit=="ops/s"] | all' "$out"
check "mem-victim: metrics positive" positive "$out" mem-victim victim_total_ns access_ns access_p99_ns
check "mem-victim: facts: 8 MiB working set, not shrunk" jq -e '[.cells[] |
	select(.workload=="mem-victim") | .launches[] | .facts.mem_victim_working_set_bytes == 8388608 and
	.facts.mem_victim_shrunk == 0] | all' "$out"
check "wake-victim: metrics positive" positive "$out" wake-victim \
	victim_total_ns wake_latency_p50_ns wake_latency_p99_ns wake_latency_max_ns
# 50 periods of 1 ms: the total cannot be shorter than 50 ms.
check "wake-victim: total >= 50 ms, max >= p99 >= p50" jq -e '[.cells[] |
	select(.workload=="wake-victim") | .metrics | (.victim_total_ns.samples | min) >= 50e6 and
	([.wake_latency_max_ns.samples, .wake_latency_p99_ns.samples, .wake_latency_p50_ns.samples] |
	 transpose | all(.[0] >= .[1] and .[1] >= .[2]))] | all' "$out"

out="$TMP/io.json"
check "run $backends x io-hog (held 300 ms)" $CVBENCH run --backend $backends --workload io-hog \
	--param file_mib=8 --settle-ms 300 --reps 2 --warmup 0 --quiet --out "$out"
check "io-hog: results validate against the schema" validate "$out"
check "io-hog: metrics positive" positive "$out" io-hog io_hog_bytes_per_s io_hog_fsyncs_per_s io_hog_fsync_p99_ns
launches=$((2 * $(echo "$backends" | tr , '\n' | wc -l)))
check "io-hog: facts dir, fs, real_io (0 on tmpfs), no error" jq -e --argjson n $launches '[.cells[].launches[] | .facts |
	(.io_hog_dir | IN("/scratch", "/tmp", "/")) and (.io_hog_fs | type=="string") and
	(.io_hog_real_io == (if .io_hog_fs == "tmpfs" or .io_hog_fs == "ramfs" then 0 else 1 end)) and
	(has("io_hog_error") | not)] | length==$n and all' "$out"
check "io-hog: no scratch file left" sh -c "! ls /scratch/cvb-*io-hog-* /tmp/cvb-*io-hog-* /cvb-*io-hog-* 2>/dev/null | grep -q ."
# A full file system is a result: an error fact, and still DONE 0 at stop.
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
	# The agent's output goes to a file outside the private /tmp, and the
	# agent is opened (fd 3) before that /tmp covers a build dir under /tmp.
	check "io-hog on a full /tmp: io_hog_error fact, DONE 0" sh -c "unshare --mount sh -c '
		exec 3<$AGENT && mount -t tmpfs -o size=256k tmpfs /tmp && head -c 200000 /dev/zero >/tmp/fill &&
		(sleep 0.3; echo stop) | /proc/self/fd/3 io-hog' >$TMP/full.out; [ \$? -eq 0 ] &&
		grep -q '\"fact\":\"io_hog_error\".*No space' $TMP/full.out && tail -n1 $TMP/full.out | grep -qx 'DONE 0'"
else
	skip "io-hog on a full /tmp" "needs root and unshare(1)"
fi

finish
