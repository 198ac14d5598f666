#!/usr/bin/env bash
# The container backend for real (root): isolation seen from inside, limits
# that hold (CPU quota, memory, pids), hardening, teardown, and `cvbench
# cleanup` after a run killed with SIGKILL.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

echo "container backend, for real"
if [ "$(id -u)" -ne 0 ]; then
	skip "container backend" "needs root"
	finish
	exit $?
fi
if ! $CVBENCH list | grep -Eq '^  container +available'; then
	skip "container backend" "$($CVBENCH list | grep -A1 '^  container' | tail -n1)"
	finish
	exit $?
fi

facts() { jq -c ".cells[0].launches[-1].facts" "$1"; }

# --- startup with phases --------------------------------------------------
out="$TMP/c.json"
check "run container/ready --reps 20" $CVBENCH run --backend container --workload ready --reps 20 --warmup 2 --quiet --out "$out"
check "results validate against the schema" validate "$out"
check "every launch has the container's phases in order" jq -e '[.cells[0].launches[] | .phases_ns | .cgroup_created < .cloned and .cloned <= .child_released and .child_started < .child_in_cgroup and .mounted < .exec and .exec < .ready] | all' "$out"
check "shared set-up is reported apart from launches" jq -e '.cells[0].backend_setup.shared_setup_ns.rootfs_prepare > 0 and (.cells[0].backend_setup.per_launch|length) > 0' "$out"
check "nothing left after the run" nothing_left
# The path each launch took follows the host's layout; on pure v2 (the
# guest run of scripts/test-cgroup2-guest.sh) that is clone3 into the
# cgroup and a BPF device program; elsewhere it cannot be seen.
mode=$($CVBENCH env --json | jq -r .cgroup.mode)
check "the results record the host's cgroup layout ($mode)" jq -e --arg m "$mode" '.cells[0].backend_setup.cgroup_mode==$m' "$out"
if [ "$mode" = v2 ]; then
	check "pure v2: every init is born in its cgroup (clone3 CLONE_INTO_CGROUP), devices guarded by BPF" jq -e '.cells[0] |
		([.launches[] | .backend.created_by=="clone3 into its cgroup"] | length == 22 and all) and
		(.backend_setup.device_allowlist.enforced_by | test("BPF"))' "$out"
else
	skip "pure v2: clone3 into the cgroup, BPF device guard" "this host's cgroups are $mode (scripts/test-cgroup2-guest.sh runs this on pure v2)"
fi

# --- isolation, seen from inside -----------------------------------------
out="$TMP/audit.json"
check "run container/audit" $CVBENCH run --backend container --workload audit --reps 1 --warmup 0 --quiet --out "$out"
check "the agent is PID 1 and sees only itself" jq -e '.cells[0].launches[0].facts | .pid==1 and .visible_processes==1' "$out"
check "its own hostname" jq -e '.cells[0].launches[0].facts.hostname | startswith("cvb-")' "$out"
check "only lo in its network namespace" jq -e '.cells[0].launches[0].facts.net_interfaces=="lo"' "$out"
check "a small mount table without host paths" jq -e '.cells[0].launches[0].facts | .mounts < 30 and (.mount_points|test("/work|/sys/fs/cgroup|/var/lib")|not)' "$out"
check "root inside maps to the host block the results record (not uid 0)" jq -e '.cells[0] | (.launches[0].facts.uid_map | gsub(" +"; " ") | ltrimstr(" ")) == .backend_setup.uid_gid_map and (.backend_setup.uid_gid_map | test("^0 [1-9][0-9]* 65536$"))' "$out"
check "cannot set the host clock" jq -e '.cells[0].launches[0].facts.can_set_clock=="no"' "$out"
check "same kernel as the host" jq -e --arg k "$(uname -r)" '.cells[0].launches[0].facts.kernel_release==$k' "$out"

check "--pin 1 runs the container's agent on CPU 1 only" sh -c "$CVBENCH run --backend container --workload audit --pin 1 --reps 1 --warmup 0 --quiet --out $TMP/pin.json && jq -e '.cells[0].launches[0].facts.cpus_allowed==\"1\"' $TMP/pin.json"
check "--no-cgroup: namespaces only, nothing left" sh -c "$CVBENCH run --backend container --no-cgroup --reps 3 --warmup 0 --quiet --out $TMP/nocg.json && jq -e '.cells[0].backend_setup.cgroup_per_instance==false' $TMP/nocg.json"

out="$TMP/harden.json"
check "run container/audit --harden all" $CVBENCH run --backend container --workload audit --harden all --reps 1 --warmup 0 --quiet --out "$out"
check "hardened: seccomp filter, no_new_privs, fewer capabilities" jq -e '.cells[0].launches[0].facts | .seccomp_mode=="2" and .no_new_privs=="1" and .cap_effective=="00000000a80425fb"' "$out"
check "seccomp without nnp still loads (before the capabilities go)" $CVBENCH run --backend container --workload ready --harden caps,seccomp --reps 2 --warmup 0 --quiet --out "$TMP/h2.json"

# --- syscall overhead inside the container ----------------------------------
out="$TMP/sys.json"
check "run container/syscall (short)" $CVBENCH run --backend container --workload syscall --param target_ms=2 --param repeats=3 --reps 2 --warmup 0 --quiet --out "$out"
# The costs themselves are this host's speed and load (a preempted loop costs
# more, a preempted empty loop makes the op look cheaper): not asserted.
check "every syscall metric, net of the loop's cost (>= 0), iterations and overhead recorded" jq -e '.cells[0] |
	([.metrics | to_entries[] | select(.key | startswith("syscall_"))] | length == 8 and
	 all(.value.unit == "ns" and (.value.samples | length == 2 and all(type == "number" and . >= 0)))) and
	([.launches[] | .facts.syscall_getppid_iters >= 1 and .facts.syscall_getppid_overhead_ns >= 0] | length == 2 and all)' "$out"

# --- limits that hold -------------------------------------------------------
out="$TMP/quota.json"
check "run cpu-hog under a 20% CPU quota" $CVBENCH run --backend container --workload cpu-hog --param duration_ms=2000 --cpu-quota 20 --reps 1 --warmup 0 --quiet --out "$out"
# The kernel enforces an upper bound only: a loaded host gives the hog less.
# Over 2 s, 20% of the wall time plus the quota in the pool at the start and
# the period the window ends in is at most 0.22.
check "the quota holds the agent to at most 20% of a CPU (<= 0.25 over 2 s)" jq -e '.cells[0].metrics.cpu_hog_cpu_share.samples | length == 1 and .[0] > 0 and .[0] <= 0.25' "$out"
# Never throttled means it never wanted more than its quota in a period,
# which only a host too loaded to give it 20% can make so: then its share
# is at most the 0.22 above.
check "the cgroup saw throttling, or the hog never got its quota (a loaded host)" jq -e '.cells[0] |
	.launches[0].backend.limits.cpu_quota_us == 20000 and (.launches[0].backend.cgroup_usage.nr_throttled as $t |
	 ($t > 0) or ($t == 0 and .metrics.cpu_hog_cpu_share.samples[0] <= 0.23))' "$out"

out="$TMP/oom.json"
$CVBENCH run --backend container --workload mem-hog --param mib=256 --memory-max 32M --reps 1 --warmup 0 --quiet --out "$out" 2>/dev/null
check "a memory limit below the need ends in a reported OOM kill" jq -e '.cells[0].status=="failed" and (.cells[0].reason|test("OOM kill"))' "$out"

out="$TMP/pids.json"
check "run fork-hog under pids.max 16" $CVBENCH run --backend container --workload fork-hog --param procs=100 --param duration_ms=300 --pids-max 16 --reps 1 --warmup 0 --quiet --out "$out"
# pids.max caps the processes whatever the host's speed; whether the hog
# reached the cap (and had forks refused) in 300 ms is the host's speed.
check "pids.max stops the fork bomb (at most 16 processes), the limit recorded" jq -e '.cells[0] |
	.launches[0].backend.limits.pids_max == 16 and (.metrics | .fork_hog_peak_procs.samples[0] <= 16 and .fork_hog_fork_failures.samples[0] >= 0)' "$out"
check "nothing left after the limit tests" nothing_left

# --- bad input --------------------------------------------------------------
for bad in "--ns pid,bogus" "--memory-max 1K" "--cpu-quota 0" "--harden everything" "--swap-max 1M" "--ns pid,net"; do
	# shellcheck disable=SC2086 # each case is several words
	usage_error "container $bad" --backend container $bad
done

# run_id_of PID: once the run PID has its first agent up (waited for, up to
# 10 s), the run id in that agent's environment. The run's own leftovers are
# the ones naming it: another run on the host has its own (and a signal sent
# before the run is up would find SIGINT still ignored, as bash leaves it for
# background jobs).
run_id_of() {
	local a=""
	for _ in $(seq 200); do
		a=$(pgrep -P "$1" | head -n1)
		[ -n "$a" ] && tr '\0' '\n' <"/proc/$a/environ" 2>/dev/null | sed -n 's/^CVB_RUN_ID=//p' | grep . && return
		sleep 0.05
	done
}
left_by() { [ -n "$1" ] && leftovers | grep -qF -- "cvb-$1"; } # RUN_ID: that run left something

# --- cleanup leaves a run in progress alone ---------------------------------
$CVBENCH run --backend container --workload idle --reps 1000 --warmup 0 --settle-ms 2000 --quiet --out "$TMP/live.json" &
pid=$!
rid=$(run_id_of $pid)
live=$(leftovers | grep -F -- "cvb-$rid" | head -n1)
check "cleanup spares a run in progress" sh -c "[ -n '$rid' ] && [ -n '$live' ] && $CVBENCH cleanup >/dev/null && test -e '$live'"
kill -INT $pid
wait $pid
check "that run still ends cleanly, incomplete" jq -e '.status=="incomplete"' "$TMP/live.json"
check "nothing left after it" nothing_left

# --- a run killed with SIGKILL, then cvbench cleanup -------------------------
$CVBENCH run --backend container --workload idle --reps 1000 --warmup 0 --settle-ms 5000 --quiet --out "$TMP/k.json" &
pid=$!
rid=$(run_id_of $pid)
kill -KILL $pid
wait $pid 2>/dev/null
check "a killed run leaves things behind" left_by "$rid"
check "cvbench cleanup removes them and says what" sh -c "$CVBENCH cleanup | grep -q '^removed'"
check "after cleanup nothing is left" nothing_left
check "a second cleanup finds nothing" sh -c "$CVBENCH cleanup | grep -qx 'nothing to clean up'"

finish
