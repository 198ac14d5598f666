#!/usr/bin/env bash
# Adaptive repetition end to end: --precision repeats native and container
# cells past --reps until the median is known to +-5% (or --max-reps), each
# cell says why it stopped, a --time-budget run ends by itself, and bad
# repetition options are refused. The bounds checked are the ones the
# implementation guarantees, not ones this host's noise happens to meet.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

echo "adaptive repetition: --precision, --max-reps, --time-budget"

# --- --precision 5% on native and container --------------------------------
out="$TMP/p.json"
if $CVBENCH run --backend native,container --precision 5% --max-reps 400 --quiet \
	--out "$out" >"$TMP/p.log" 2>&1; then
	pass "run --backend native,container --precision 5% --max-reps 400 exits 0"
else
	fail "run --backend native,container --precision 5% --max-reps 400 exits 0" "$(tail -n 3 "$TMP/p.log")"
fi
check "p.json validates against the schema" validate "$out"

for backend in native container; do
	sel=".cells[] | select(.backend==\"$backend\")"
	status=$(jq -r "$sel | .status" "$out" 2>/dev/null)
	if [ "$status" = skipped ]; then
		skip "$backend --precision cell" "$(jq -r "$sel | .reason" "$out")"
		continue
	fi
	why=$(jq -r "$sel | .repetition.stopped_because" "$out" 2>/dev/null)
	echo "  ($backend: $(jq -r "$sel | .launch_counts.measured_ok" "$out") measured, $why)"
	check "$backend: ok, repetition in precision mode with its bounds" jq -e "$sel |
		.status==\"ok\" and .repetition.mode==\"precision\" and .repetition.target==0.05 and
		.repetition.min_reps==30 and .repetition.max_reps==400 and
		.repetition.metrics==[\"startup_ns\"]" "$out"
	check "$backend: stopped_because is a string" jq -e "$sel | .repetition.stopped_because | type==\"string\" and length > 0" "$out"
	check "$backend: 30 <= measured_ok <= 400, one sample per measured launch" jq -e "$sel |
		.launch_counts.measured_ok >= 30 and .launch_counts.measured_ok <= 400 and
		(.metrics.startup_ns.samples|length)==.launch_counts.measured_ok and
		.launch_counts.rounds==.launch_counts.warmup + .launch_counts.measured_ok" "$out"
	case $why in
	"precision +-5% reached"*)
		# The stop rule itself: max(p50 - lo, hi - p50) <= 5% of p50, on the
		# very summary the file reports (same samples, seed and resamples).
		check "$backend: reached -> ci95 of startup_ns within +-5% of p50" jq -e "$sel |
			.metrics.startup_ns.summary as \$s | (\$s.p50 * 0.05 * (1 + 1e-9)) as \$tol |
			(\$s.p50 - \$s.ci95[0]) <= \$tol and (\$s.ci95[1] - \$s.p50) <= \$tol and
			.repetition.half_widths.startup_ns <= 0.05" "$out"
		;;
	"--max-reps 400 reached"*)
		check "$backend: max-reps -> measured_ok == 400, wider than +-5%" jq -e "$sel |
			.launch_counts.measured_ok==400 and .repetition.half_widths.startup_ns > 0.05" "$out"
		;;
	*)
		fail "$backend: stopped_because is precision or max-reps" "$why"
		;;
	esac
done

# --- a target startup noise cannot meet: the --max-reps branch --------------
# (should +-0.1% be met all the same, the reached rule is checked instead)
out="$TMP/mr.json"
check "run --precision 0.1% --max-reps 35 exits 0" $CVBENCH run --backend native --precision 0.1% \
	--max-reps 35 --quiet --out "$out"
echo "  (native: $(jq -r '.cells[0].repetition.stopped_because' "$out" 2>/dev/null))"
check "max-reps or reached, each with its bound" jq -e '.cells[0] | .repetition.stopped_because as $w |
	.metrics.startup_ns.summary as $s | ($s.p50 * 0.001 * (1 + 1e-9)) as $tol |
	if ($w|startswith("--max-reps 35 reached")) then
		.launch_counts.measured_ok==35 and .launch_counts.rounds==38
	elif ($w|startswith("precision +-0.1% reached")) then
		($s.p50 - $s.ci95[0]) <= $tol and ($s.ci95[1] - $s.p50) <= $tol
	else false end' "$out"

# --- --time-budget: an unreachable target stops on the budget -------------
out="$TMP/tb.json"
t0=$(date +%s)
$CVBENCH run --backend native --precision 0.1% --max-reps 100000 --time-budget 2 --reps 5 \
	--quiet --out "$out" >"$TMP/tb.log" 2>&1
rc=$? elapsed=$(($(date +%s) - t0))
if [ $rc -eq 0 ] && [ $elapsed -le 20 ]; then
	pass "--time-budget 2 run exits 0 by itself (${elapsed} s)"
else
	fail "--time-budget 2 run exits 0 by itself" "rc=$rc after ${elapsed} s: $(tail -n 3 "$TMP/tb.log")"
fi
check "tb.json validates against the schema" validate "$out"
check "time-budget: stopped_because mentions --time-budget, >= --reps, < --max-reps" jq -e '.cells[0] |
	.status=="ok" and (.repetition.stopped_because|test("^--time-budget 2 s spent")) and
	.launch_counts.measured_ok >= 5 and .launch_counts.measured_ok < 100000' "$out"

# --- without --precision: fixed reps, nothing to stop --------------------------
out="$TMP/fixed.json"
check "run --reps 3 --warmup 0 (fixed) exits 0" $CVBENCH run --backend native --reps 3 --warmup 0 \
	--quiet --out "$out"
check "fixed: repetition mode fixed, 3 measured" jq -e '.cells[0] | .repetition.mode=="fixed" and
	.repetition.reps==3 and .launch_counts.measured_ok==3' "$out"

# --- bad input: exit 2, one line, no file -----------------------------------
usage_error "--precision 0" --precision 0
usage_error "--precision 70" --precision 70
usage_error "--precision abc" --precision abc
usage_error "--precision 5%%" --precision 5%%
usage_error "--max-reps without --precision" --max-reps 100
usage_error "--precision-metric without --precision" --precision-metric startup_ns
usage_error "--max-reps below --reps" --precision 5% --max-reps 10
usage_error "--precision-metric unknown" --precision 5% --precision-metric nosuch_ns
usage_error "--precision-metric of an unselected workload" --precision 5% --precision-metric syscall_getppid_ns
usage_error "--time-budget 0" --backend native --time-budget 0
usage_error "--time-budget 0 on the default matrix (run-wide)" --time-budget 0

finish
