#!/usr/bin/env bash
# The test-only null backend (backends/null.c): a backend that plugs in with
# its own file and one registry line runs end to end like native, and is not
# offered unless CVB_TEST_BACKENDS=1 asks for it.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

echo "null backend (test only), end to end"

# --- hidden by default ------------------------------------------------------
check "cvbench list does not offer null" sh -c "! $CVBENCH list | grep -Eq '^  null '"
usage_error "--backend null without CVB_TEST_BACKENDS=1" --backend null --reps 1
check "CVB_TEST_BACKENDS=1 lists null available" \
	sh -c "CVB_TEST_BACKENDS=1 $CVBENCH list | grep -Eq '^  null +available'"

# --- a run, as native runs the agent --------------------------------------
out="$TMP/null.json"
if CVB_TEST_BACKENDS=1 $CVBENCH run --backend null --workload ready --reps 3 --quiet \
	--out "$out" >"$TMP/run.log" 2>&1; then
	pass "run null/ready --reps 3 exits 0"
else
	fail "run null/ready --reps 3 exits 0" "$(tail -n 3 "$TMP/run.log")"
fi
check "results validate against the schema" validate "$out"
check "one cell labelled null/ready, ok" \
	jq -e '(.cells|length)==1 and .cells[0].label=="null/ready" and .cells[0].backend=="null" and .cells[0].status=="ok"' "$out"
check "3 startup samples" jq -e '.cells[0].metrics.startup_ns | (.samples|length)==3 and .summary.p50 > 0' "$out"
check "every launch spawned, READY and exited cleanly" \
	jq -e '[.cells[0].launches[] | .status=="ok" and .phases_ns.spawned > 0 and .phases_ns.ready > .phases_ns.spawned and .exit.code==0] | all' "$out"
check "not the baseline: no ratio to native from a null-only run" \
	jq -e '[.derived.ratios_to_native[]?] | length==0' "$out"
# Only this run's own: another run on the host may hold its things meanwhile.
rid=$(jq -r .run_id "$out")
check "nothing of the run left behind" sh -c "[ -n '$rid' ] && ! { find /sys/fs/cgroup -maxdepth 3 -name 'cvb*'; ls -d /var/lib/cvbench/cvb-*; grep -l 'CVB_RUN_ID=$rid' /proc/[0-9]*/environ; } 2>/dev/null | grep -q -- '$rid'"

finish
