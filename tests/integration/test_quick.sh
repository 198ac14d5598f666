#!/usr/bin/env bash
# The `quick` matrix end to end, as CI's benchmark: a results directory with
# the JSON, plots and a report holding the seed's table; then the CI gate:
# `cvbench compare` passes a run against itself and fails (exit 1) on the
# quick file with fixture samples 30% slower in two cells; a real run slowed
# on purpose with the documented knob (--inject-delay-us) is asserted on the
# bound the sleep makes certain (every startup >= the delay).
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

echo "quick matrix, end to end"

if [ "$(id -u)" -ne 0 ]; then
	skip "quick matrix" "needs root for containers"
	finish
	exit $?
fi

mkdir -p "$TMP/q"
start=$(date +%s)
if $CVBENCH run --matrix matrices/quick.json --out "$TMP/q/results.json" >"$TMP/q.log" 2>&1; then
	pass "quick matrix runs (exit 0) in $(($(date +%s) - start)) s"
else
	fail "quick matrix runs" "$(tail -n 3 "$TMP/q.log")"
fi
check "quick: results validate" validate "$TMP/q/results.json"
check "quick: every cell ok or skipped with a reason" jq -e \
	'[.cells[] | .status=="ok" or (.status=="skipped" and (.reason|length) > 0)] | all' "$TMP/q/results.json"
check "quick: derived ratios, slowdowns and a density fit" jq -e \
	'.derived | (.ratios_to_native|length) > 0 and (.slowdowns|length)==2 and ([.density[] | select(.fit != null)]|length) > 0' "$TMP/q/results.json"
for p in startup phases syscall density slowdown; do
	check "quick: plot $p.png is a sane PNG (2 KB..2 MB)" sh -c \
		"f=$TMP/q/plots/$p.png; file \$f | grep -q 'PNG image' && s=\$(stat -c %s \$f) && [ \$s -gt 2000 ] && [ \$s -lt 2000000 ]"
	check "quick: plot $p.svg written" test -s "$TMP/q/plots/$p.svg"
done
check "quick: report.md has the seed's table, measured" sh -c \
	"grep -q '^| Feature | native | container | vm' $TMP/q/report.md && grep -q '^| Startup time, p50 |' $TMP/q/report.md"
check "quick: report.html embeds its plots and nothing from outside" sh -c \
	"grep -q 'data:image/png;base64' $TMP/q/report.html && ! grep -Eq '(src|href)=\"https?:' $TMP/q/report.html"
check "quick: the run said where its results are" grep -q "results: $TMP/q/results.json" "$TMP/q.log"

# --- the CI gate -------------------------------------------------------------
# compare's verdicts on real runs are this host's noise: the gate is asserted
# on the quick file with fixture samples written into it
# (tests/fixtures/results/set_samples.py), the slowed run only on what the
# injected sleep makes certain.
base="$TMP/q/results.json"
check "compare: a run against itself: no regression (exit 0)" $CVBENCH compare "$base" "$base"
mkdir -p "$TMP/slow"
check "a run slowed by --inject-delay-us 20000 (recorded)" sh -c \
	"$CVBENCH run --backend native,container --workload ready --reps 5 --warmup 1 --quiet \
	 --inject-delay-us 20000 --out $TMP/slow/r.json && jq -e '.cells[0].inject_delay_us==20000' $TMP/slow/r.json"
# The sleep is inside the measured window and nanosleep never returns early.
check "the slowed run: every startup sample of both cells >= 20 ms" jq -e \
	'[.cells[] | select(.label == "native/ready" or .label == "container/ready")] | length == 2 and
	 all(.metrics.startup_ns.samples | length == 5 and all(. >= 20000000))' "$TMP/slow/r.json"
$CVBENCH compare "$base" "$TMP/slow/r.json" --metric startup_ns --format json >"$TMP/cmp.json" 2>/dev/null
rc=$?
check "compare reads the slowed run against quick (exit 0 or 1), both cells compared" sh -c \
	"{ [ $rc -eq 0 ] || [ $rc -eq 1 ]; } && jq -e '[.comparisons[] | select(.metric == \"startup_ns\") | .label] | index(\"native/ready\") != null and index(\"container/ready\") != null' $TMP/cmp.json >/dev/null"
SET_SAMPLES="/usr/bin/python3 tests/fixtures/results/set_samples.py"
check "fixtures: quick with written startup samples, and native/ready, container/ready 30% slower" sh -c \
	"$SET_SAMPLES $base $TMP/gate-base.json --metric startup_ns &&
	 $SET_SAMPLES $TMP/gate-base.json $TMP/gate-new.json --metric startup_ns --cell native/ready --cell container/ready --scale 1.3"
$CVBENCH compare "$TMP/gate-base.json" "$TMP/gate-new.json" --metric startup_ns >"$TMP/gate.out" 2>&1
rc=$?
check "compare: the slowed cells are a regression (exit 1)" test $rc -eq 1
check "compare: the regressed cells are named, and only them" sh -c \
	"grep -q 'native/ready.*REGRESSION' $TMP/gate.out && grep -q 'container/ready.*REGRESSION' $TMP/gate.out &&
	 [ \$(grep -c REGRESSION $TMP/gate.out) -eq 2 ] && grep -q ' 2 regressions, 0 improvements, .* same, 0 noise' $TMP/gate.out"
check "nothing left: cgroups, run directories, processes" nothing_left

finish
