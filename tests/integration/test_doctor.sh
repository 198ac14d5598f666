#!/usr/bin/env bash
# The preflight and the self-checks: `cvbench doctor` names what is wrong
# with the host and how to fix it; a run checks the same first, refuses to
# start on a failure unless --force, records every finding, and the report
# shows the warnings at its top. Host problems are made on purpose
# (a tiny tmpfs, a CPU hog) so that nothing depends on this host's state.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

echo "doctor, preflight and self-checks"
SMALL="$TMP/small"
HOG=""
cleanup_doctor() {
	[ -n "$HOG" ] && kill "$HOG" 2>/dev/null
	mountpoint -q "$SMALL" && umount "$SMALL"
	rm -rf "$TMP"
}
trap cleanup_doctor EXIT

# --- doctor: structure ---------------------------------------------------------
$CVBENCH doctor --json >"$TMP/doc.json" 2>"$TMP/doc.err"
rc=$?
check "doctor exits 0 (no failure) or 3 (a failure), never else" test $rc -eq 0 -o $rc -eq 3
check "doctor --json: a verdict and findings with evidence" jq -e '(.verdict|IN("ok","warn","fail")) and (.findings|length) > 5 and ([.findings[] | (.check|length) > 0 and (.evidence|length) > 0 and (.verdict|IN("ok","warn","fail"))] | all)' "$TMP/doc.json"
for c in host.load cpu.governor cpu.smt clock.source host.nested host.memory host.disk cgroup.controllers; do
	check "doctor checks $c" jq -e --arg c "$c" '[.findings[].check] | index($c) != null' "$TMP/doc.json"
done
check "doctor: exit 3 exactly when a check failed" sh -c "jq -e '.verdict == \"fail\"' $TMP/doc.json >/dev/null; [ \$? -eq 0 ] && [ $rc -eq 3 ] || [ $rc -eq 0 ]"
check "doctor text ends with the verdict line" sh -c "$CVBENCH doctor --backend native | tail -n 1 | grep -Eq '^verdict: (ok|warn|fail) \\([0-9]+ ok, [0-9]+ warn, [0-9]+ fail\\) in [0-9.]+ s$'"
check "doctor --help" sh -c "$CVBENCH doctor --help | grep -q 'ok / warn / fail'"
rc=0; $CVBENCH doctor --backend nosuch >/dev/null 2>"$TMP/bad.err" || rc=$?
check "doctor with a bad option exits 2 with one line" sh -c "[ $rc -eq 2 ] && [ \$(wc -l <$TMP/bad.err) -eq 1 ]"

# --- a failing check: too little disk where the results go --------------------
mkdir -p "$SMALL" && mount -t tmpfs -o size=16m tmpfs "$SMALL"
rc=0; $CVBENCH run --backend native --reps 2 --warmup 0 --out "$SMALL/r.json" >"$TMP/f.out" 2>"$TMP/f.err" || rc=$?
check "run refuses to start on a failed check: exit 3" test $rc -eq 3
check "  it names the check and the fix" sh -c "grep -q 'fail  host.disk' $TMP/f.err && grep -q 'fix:' $TMP/f.err && grep -q -- '--force' $TMP/f.err"
check "  and writes no file" test ! -e "$SMALL/r.json"
rc=0; $CVBENCH doctor --backend native --out "$SMALL/r.json" >"$TMP/d.out" 2>&1 || rc=$?
check "doctor names the same failure (exit 3)" sh -c "[ $rc -eq 3 ] && grep -q 'fail  host.disk' $TMP/d.out"
rc=0; $CVBENCH run --backend native --reps 2 --warmup 0 --force --out "$SMALL/r.json" >"$TMP/f.out" 2>"$TMP/f.err" || rc=$?
check "--force measures anyway (exit 0)" test $rc -eq 0
check "  the failure is recorded in host.preflight" jq -e '[.host.preflight[] | select(.check=="host.disk" and .verdict=="fail" and .subject=="results directory")] | length == 1' "$SMALL/r.json"
check "  the file is valid" validate "$SMALL/r.json"
$CVBENCH report "$SMALL/r.json" --out-dir "$TMP/rep1" >/dev/null 2>&1
check "  the report's warnings name it before the host section" sh -c "awk '/^## Warnings/{w=NR} /host.disk/{d=NR} /^## Host/{h=NR} END{exit !(w && d > w && h > d)}' $TMP/rep1/report.md"
umount "$SMALL"

# --- a CPU hog beside the run ---------------------------------------------------
sh -c 'while :; do :; done' &
HOG=$!
sleep 0.3
$CVBENCH doctor --backend native --json >"$TMP/hog.json" 2>/dev/null
check "doctor warns about the hog, by name and pid" jq -e --arg p "$HOG" '[.findings[] | select(.check=="host.load" and .verdict=="warn" and (.evidence|contains("(pid " + $p + ")")))] | length == 1' "$TMP/hog.json"
rc=0; $CVBENCH run --backend native --reps 80 --warmup 0 --out "$TMP/hog-run.json" >"$TMP/h.out" 2>"$TMP/h.err" || rc=$?
check "a run beside it still runs (a warning is no failure)" test $rc -eq 0
check "  the preflight warning is recorded" jq -e '[.host.preflight[] | select(.check=="host.load" and .verdict=="warn")] | length == 1' "$TMP/hog-run.json"
check "  the load during the run is sampled" jq -e '(.host_load.samples | length) >= 1 and ([.host_load.samples[].foreign_cpus] | max) >= 0.25' "$TMP/hog-run.json"
check "  the self-check flags it" jq -e '[.checks[] | select(.check=="host.load_during_run")] | length == 1' "$TMP/hog-run.json"
check "  and the run says so at its end" grep -q 'host.load_during_run' "$TMP/h.err"
check "  the file is valid" validate "$TMP/hog-run.json"
kill "$HOG" 2>/dev/null; wait "$HOG" 2>/dev/null; HOG=""
$CVBENCH report "$TMP/hog-run.json" --out-dir "$TMP/rep2" >/dev/null 2>&1
check "  the report shows both at its top" sh -c "awk '/^## Warnings/{w=NR} /host.load /{a=NR} /host.load_during_run/{b=NR} /^## Host/{h=NR} END{exit !(w && a > w && b > w && h > a && h > b)}' $TMP/rep2/report.md"

# --- a launch dominated by its create call (a real run before the /dev/kvm fix) --
$CVBENCH report tests/fixtures/reports/vm-create-52s.json --out-dir "$TMP/rep3" >/dev/null 2>&1
check "an old file is self-checked by the report: create-dominated VM launches" sh -c "grep 'launch.create_dominated' $TMP/rep3/report.md | grep -q 'create_returned p50 52.3 s of startup p50 55.3 s'"
check "  with the fix" grep -q 'scripts/services.sh' "$TMP/rep3/report.md"

check "nothing left behind" nothing_left
finish
