#!/usr/bin/env bash
# Group cells, for real, as root: noisy neighbours (a victim next to an
# aggressor, with and without cgroup limits; an aggressor killed by its
# limits is data, not a failure) and density (N instances up at once).
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

echo "noisy neighbours and density"

if [ "$(id -u)" -ne 0 ]; then
	skip "group cells" "needs root for cgroups and namespaces"
	finish
	exit $?
fi

# --- the seed's starvation story and its fix, in one command ---------------
out="$TMP/noisy.json"
if $CVBENCH run --backend container --workload cpu-victim --param units=100 \
	--scenario alone --scenario cpu-hog --scenario cpu-hog:cpu-quota=20 \
	--placement same-pu --reps 3 --warmup 0 --quiet --out "$out" >"$TMP/noisy.log" 2>&1; then
	pass "noisy: victim alone, with cpu-hog, with cpu-hog under a 20% quota"
else
	fail "noisy run" "$(tail -n 3 "$TMP/noisy.log")"
fi
check "noisy: results validate" validate "$out"
check "noisy: both victims on the same PU as their aggressor" jq -e \
	'[.cells[] | .placement.kind=="same-pu" and .placement.victim_cpus==.placement.aggressor_cpus] | all' "$out"
check "noisy: every victim round has its aggressor launch" jq -e \
	'[.cells[1,2].launches | (map(select(.role=="aggressor"))|length)==3 and (map(select(.role=="victim"))|length)==3] | all' "$out"
check "noisy: two slowdowns against the alone cell, each with its interval" jq -e \
	'.derived.slowdowns | length==2 and all(.[]; .baseline_label|test("scenario=alone")) and all(.[]; .ci95[0] <= .slowdown and .slowdown <= .ci95[1])' "$out"
# Same PU, no limit: the scheduler splits the CPU, so the victim takes about
# twice as long; under a 20% quota the aggressor cannot do that.
check "noisy: an unlimited cpu-hog on the same PU slows the victim (> 1.4x)" jq -e \
	'.derived.slowdowns[] | select(.scenario=="cpu-hog") | .slowdown > 1.4' "$out"
check "noisy: the CPU quota gives the victim most of its time back" jq -e \
	'(.derived.slowdowns | map({(.scenario): .slowdown}) | add) as $s | $s["cpu-hog:cpu-quota=20"] < $s["cpu-hog"] - 0.3' "$out"
check "noisy: the quota was the aggressor's, not the victim's" jq -e \
	'([.cells[2].launches[] | select(.role=="aggressor") | .backend.limits.cpu_quota_us==20000] | all) and ([.cells[2].launches[] | select(.role=="victim") | .backend.limits.cpu_quota_us==null] | all)' "$out"
check "noisy: the aggressor's own metrics are kept, marked as such" jq -e \
	'.cells[1].metrics.cpu_hog_cpu_share.role=="aggressor"' "$out"

# --- an aggressor killed by its memory limit is a result -------------------
out="$TMP/oom.json"
if $CVBENCH run --backend container --workload cpu-victim --param units=50 \
	--scenario mem-hog:mib=256:memory-max=32M --reps 2 --warmup 0 --quiet --out "$out" >"$TMP/oom.log" 2>&1; then
	pass "oom: victim measured although its aggressor was OOM-killed (exit 0)"
else
	fail "oom: exit 0" "$(tail -n 3 "$TMP/oom.log")"
fi
check "oom: the cell is ok, the aggressor's fate counted" jq -e \
	'.cells[0].status=="ok" and .cells[0].launch_counts.aggressor_failures==2' "$out"
check "oom: the aggressor's record names the OOM kill" jq -e \
	'[.cells[0].launches[] | select(.role=="aggressor") | .status=="failed" and (.note|test("OOM"))] | all' "$out"

# --- a fork bomb held by pids.max -------------------------------------------
out="$TMP/pids.json"
check "pids: fork-hog under pids-max=16 next to a victim" $CVBENCH run --backend container \
	--workload cpu-victim --param units=50 --scenario fork-hog:procs=200:pids-max=16 \
	--reps 2 --warmup 0 --quiet --out "$out"
check "pids: the aggressor hit its limit (failed forks, at most 16 processes)" jq -e \
	'.cells[0].metrics | (.fork_hog_fork_failures.samples|min) > 0 and (.fork_hog_peak_procs.samples|max) <= 16' "$out"

# --- density: N instances at once -------------------------------------------
out="$TMP/density.json"
check "density: container idle --instances 1,2,4" $CVBENCH run --backend container --workload idle \
	--instances 1,2,4 --reps 2 --warmup 0 --settle-ms 50 --quiet --out "$out"
check "density: results validate" validate "$out"
check "density: one host PSS value per instance, bring-up per round" jq -e \
	'[.cells[] | (.metrics.host_pss_bytes.samples|length)==(2*.instances) and (.metrics.bringup_ns.samples|length)==2] | all' "$out"
check "density: MemAvailable drop per instance recorded per round" jq -e \
	'[.cells[] | (.metrics.memavailable_drop_per_instance_bytes.samples|length)==2] | all' "$out"
check "density: a fit of host PSS over N with its interval" jq -e \
	'.derived.density[] | select(.metric=="host_pss_bytes") | (.points|length)==3 and .fit.slope > 0 and .fit.slope_ci95[0] <= .fit.slope' "$out"
check "nothing left: cgroups, run directories, processes" nothing_left

# --- bad input: before anything starts --------------------------------------
usage_error "placement the topology cannot give (no SMT here)" --backend container \
	--workload cpu-victim --scenario alone --placement sibling
usage_error "a holding workload as victim" --backend container --workload idle --scenario alone
usage_error "a finite workload as aggressor" --backend container --workload cpu-victim --scenario syscall
usage_error "limits for a native aggressor" --backend native --workload cpu-victim --scenario cpu-hog:cpu-quota=20
usage_error "unknown scenario key" --backend container --workload cpu-victim --scenario cpu-hog:frobs=1
usage_error "more VMs than memory" --backend vm --workload idle --instances 256 --vm-memory 2G
usage_error "--instances and --scenario together" --workload cpu-victim --instances 2 --scenario alone

finish
