#!/usr/bin/env bash
# compare, export and merge: compare's verdicts, exit codes and formats on
# fixture samples written for the test (a real run's file as the template,
# its samples replaced: the verdicts are certain); two real runs only for
# structure; bad input, CSV row counts, merged shards against the schema
# (and read back by compare and export).
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

echo "compare, export, merge"

# --- two real runs (native, fast), and a shard with another cell -----------
for r in a b; do
	if ! $CVBENCH run --backend native --workload ready --reps 15 --warmup 1 --quiet \
		--out "$TMP/$r.json" >"$TMP/run.log" 2>&1; then
		fail "run native/ready ($r)" "$(tail -n 3 "$TMP/run.log")"
		finish
		exit 1
	fi
done
check "run native/idle (a shard of other cells)" $CVBENCH run --backend native --workload idle \
	--reps 3 --warmup 0 --settle-ms 0 --quiet --out "$TMP/idle.json"

# --- fixture samples (tests/fixtures/results/set_samples.py) -----------------
# base: 15 samples per metric in [1.0e6, 1.1e6); slow: the same x 1.3, in
# [1.3e6, 1.43e6): no overlap, medians exactly +30%, p ~ 3e-6. noisy-base and
# noisy-new: spread 100%, medians +6% apart (above the 5% threshold) in
# overlapping sets (p ~ 0.4): the "noise" verdict, and with an MDE of about
# 24% "too few samples to tell". The new sides are written over b.json, so
# that base and new are two runs as in CI (one run_id on both sides is
# warned about). two-base and two-new: native/ready (15 samples) and
# native/idle (3) merged, the new side x 1.3: a geometric mean of exactly
# +30% over the two cells, and 3 + 3 samples that no change can make
# significant at 0.01. Nothing here depends on what a.json, b.json or
# idle.json measured.
SET_SAMPLES="/usr/bin/python3 tests/fixtures/results/set_samples.py"
check "fixtures: a.json with written samples, and b.json's 30% slower" sh -c \
	"$SET_SAMPLES $TMP/a.json $TMP/base.json && $SET_SAMPLES $TMP/b.json $TMP/slow.json --scale 1.3"
check "fixtures: two overlapping sets 6% apart" sh -c \
	"$SET_SAMPLES $TMP/a.json $TMP/noisy-base.json --spread 1 && $SET_SAMPLES $TMP/b.json $TMP/noisy-new.json --spread 1 --scale 1.06"
check "fixtures: two cells per side (merged shards), the new one 30% slower" sh -c \
	"$CVBENCH merge $TMP/two-a.json $TMP/a.json $TMP/idle.json && $CVBENCH merge $TMP/two-b.json $TMP/b.json $TMP/idle.json && $SET_SAMPLES $TMP/two-a.json $TMP/two-base.json && $SET_SAMPLES $TMP/two-b.json $TMP/two-new.json --scale 1.3"
check "fixtures validate against the schema" sh -c \
	"for f in base slow noisy-base noisy-new two-base two-new; do /usr/bin/python3 -m jsonschema -i $TMP/\$f.json $SCHEMA 2>/dev/null || exit 1; done"

# --- compare ------------------------------------------------------------------
check "compare --help documents --github-direction and exit status" \
	sh -c "$CVBENCH compare --help | grep -q 'github-direction' && $CVBENCH compare --help | grep -q 'Exit status'"
# Identical sample sets: p = 1, change 0, whatever the host measured.
check "A/A: a real file against itself exits 0, every pair 'same'" \
	sh -c "$CVBENCH compare $TMP/a.json $TMP/a.json >$TMP/aa.txt 2>$TMP/aa.err && grep -q '0 regressions, 0 improvements, 2 same' $TMP/aa.txt"
check "A/A: the same run is warned about, one line on stderr and in the report" \
	sh -c "[ \$(wc -l <$TMP/aa.err) -eq 1 ] && grep -q '^cvbench compare: warning: .* are the same run (run_id ' $TMP/aa.err && grep -q '^warning: .* are the same run' $TMP/aa.txt"
jq --arg id "$(jq -r .run_id "$TMP/b.json")" '.run_id = $id' "$TMP/base.json" >"$TMP/base-copy.json"
check "identical samples under another run_id: warned, also in --format json" \
	sh -c "$CVBENCH compare $TMP/base.json $TMP/base-copy.json --format json >$TMP/copy.json 2>$TMP/copy.err && grep -q 'warning: .* hold identical samples in every compared metric' $TMP/copy.err && jq -e '.same_run == true and (.warnings | length) == 1' $TMP/copy.json"
# Two real runs: structure only; the verdict is this host's noise.
$CVBENCH compare "$TMP/a.json" "$TMP/b.json" >"$TMP/ab.txt" 2>"$TMP/ab.err"
rc=$?
if { [ $rc -eq 0 ] || [ $rc -eq 1 ]; } && [ ! -s "$TMP/ab.err" ] && grep -q '^startup_ns (ns, lower is better)$' "$TMP/ab.txt" &&
	grep -Eq '^native/ready +[0-9.]+ [mu]?s ± ' "$TMP/ab.txt" &&
	grep -Eq '^2 compared: [0-9]+ regressions?, [0-9]+ improvements?, [0-9]+ same, [0-9]+ noise$' "$TMP/ab.txt"; then
	pass "two real runs compare (exit $rc: $(tail -n 1 "$TMP/ab.txt"))"
else
	fail "two real runs compare" "rc=$rc $(cat "$TMP/ab.err")"
fi
$CVBENCH compare "$TMP/base.json" "$TMP/slow.json" >"$TMP/slow.txt" 2>&1
rc=$?
if [ $rc -eq 1 ] && [ "$(grep -c '+30.0% .*REGRESSION' "$TMP/slow.txt")" -eq 2 ] &&
	grep -q '^2 compared: 2 regressions, 0 improvements, 0 same, 0 noise$' "$TMP/slow.txt"; then
	pass "30% slower fixture: exit 1, both metrics a REGRESSION at +30.0%"
else
	fail "30% slower fixture: exit 1" "rc=$rc $(cat "$TMP/slow.txt")"
fi
check "the same slowdown read from the other side is an improvement, exit 0" \
	sh -c "$CVBENCH compare $TMP/slow.json $TMP/base.json >$TMP/fast.txt; [ \$? -eq 0 ] && [ \$(grep -c -- '-23.1% .*improvement' $TMP/fast.txt) -eq 2 ]"
check "identical fixture sets: exit 0, both 'same', warned as one run" \
	sh -c "$CVBENCH compare $TMP/slow.json $TMP/slow.json >$TMP/ss.txt 2>$TMP/ss.err && grep -q '0 regressions, 0 improvements, 2 same, 0 noise' $TMP/ss.txt && grep -q 'warning: .* the same run' $TMP/ss.err"
check "two runs' fixtures: no warning" \
	sh -c "$CVBENCH compare $TMP/base.json $TMP/slow.json 2>$TMP/bs.err >/dev/null; [ \$? -eq 1 ] && [ ! -s $TMP/bs.err ]"
check "medians 6% apart in overlapping sets: 'noise', exit 0" \
	sh -c "$CVBENCH compare $TMP/noisy-base.json $TMP/noisy-new.json >$TMP/noise.txt && [ \$(grep -c '+6.0% .*noise' $TMP/noise.txt) -eq 2 ]"
check "... not significant (~), and 'too few samples to tell', with the --reps that would" \
	sh -c "[ \$(grep -c '~ +6.0% .*noise: too few samples to tell\$' $TMP/noise.txt) -eq 2 ] && [ \$(grep -Ec '^  ~ too few samples to tell: could detect only changes above [0-9]+%; raise --reps to about [0-9]+ to tell a \\+6.0% change \\(80% power\\)\$' $TMP/noise.txt) -eq 2 ]"
check "... the MDE above the threshold and the change, reps_needed above 15 (--format json)" \
	sh -c "$CVBENCH compare $TMP/noisy-base.json $TMP/noisy-new.json --format json | jq -e '[.comparisons[] | select(.verdict == \"noise\" and .too_few_samples and .mde_status == \"ok\" and .mde_pct > 6 and .mde_pct > .threshold_pct and .reps_needed > 15 and (.verdict_note | startswith(\"too few samples to tell\")))] | length == 2'"
check "the MDE of tight sets is below their +30%: flagged, nothing 'too few'" \
	sh -c "$CVBENCH compare $TMP/base.json $TMP/slow.json --format json | jq -e 'all(.comparisons[]; .mde_pct > 0 and .mde_pct < 10 and .too_few_samples == false and .reps_needed == null)'"
check "--alpha tightens the MDE's test: a larger MDE at 0.001 than at 0.05" \
	sh -c "a=\$($CVBENCH compare $TMP/noisy-base.json $TMP/noisy-new.json --alpha 0.001 --format json | jq '.comparisons[0].mde_pct'); b=\$($CVBENCH compare $TMP/noisy-base.json $TMP/noisy-new.json --alpha 0.05 --format json | jq '.comparisons[0].mde_pct'); jq -en \"\$a > \$b\""
$CVBENCH compare "$TMP/two-base.json" "$TMP/two-new.json" >"$TMP/two.txt" 2>"$TMP/two.err"
rc=$?
if [ $rc -eq 1 ] && [ ! -s "$TMP/two.err" ] && grep -Eq '^geomean +[0-9.]+ ms +[0-9.]+ ms +\+30\.0%$' "$TMP/two.txt" &&
	grep -Eq '^native/idle .* none .*noise: too few samples to tell$' "$TMP/two.txt" &&
	grep -q '^  ~ too few samples to tell: with n=3 no change can reach p < 0.01 (5 per side at least); raise --reps to about ' "$TMP/two.txt"; then
	pass "two cells: a geomean row at +30.0%; 3 + 3 samples: MDE none, too few samples to tell"
else
	fail "two cells: geomean row, 3 + 3 samples" "rc=$rc $(cat "$TMP/two.txt" "$TMP/two.err")"
fi
check "... the geomeans in --format json: startup_ns over 2 cells, +30%" \
	sh -c "$CVBENCH compare $TMP/two-base.json $TMP/two-new.json --format json | jq -e '.geomeans[] | select(.metric == \"startup_ns\") | .pairs == 2 and .change_pct > 29.99 and .change_pct < 30.01'"
check "... and in --format markdown, with the MDE column and the notes" \
	sh -c "$CVBENCH compare $TMP/two-base.json $TMP/two-new.json --format markdown >$TMP/two.md; grep -q '| n | MDE | thr | verdict |' $TMP/two.md && grep -q '^| startup_ns | 2 | .* | +30.0% |$' $TMP/two.md && grep -q '^- native/idle startup_ns: too few samples to tell' $TMP/two.md"
check "--threshold METRIC=PCT above the slowdown: exit 0, both 'same'" \
	sh -c "$CVBENCH compare $TMP/base.json $TMP/slow.json --threshold 'startup_ns=50' --threshold '*_cpu_ns=50' >$TMP/t.txt && grep -q '2 same' $TMP/t.txt"
check "--threshold on one metric only: the other still fails the gate (exit 1)" \
	sh -c "$CVBENCH compare $TMP/base.json $TMP/slow.json --threshold 'startup_ns=50' --format json >$TMP/t1.json; [ \$? -eq 1 ] && jq -e '[.comparisons[] | [.metric, .verdict]] == [[\"startup_ns\", \"same\"], [\"agent_cpu_ns\", \"regression\"]]' $TMP/t1.json"
check "--format json: verdicts, intervals, p-values" \
	sh -c "$CVBENCH compare $TMP/base.json $TMP/slow.json --format json >$TMP/c.json; [ \$? -eq 1 ] && jq -e '.summary.regression == 2 and ([.comparisons[] | select(.verdict == \"regression\")] | length == 2 and all(.change_pct_ci95[0] > 0 and .p < 0.01 and .change_pct > 29.9 and .change_pct < 30.1 and .base_median > 0))' $TMP/c.json"
check "--format github: [{name, unit, value, range, extra}]" \
	sh -c "$CVBENCH compare $TMP/base.json $TMP/slow.json --format github >$TMP/gh.json; jq -e 'type == \"array\" and length == 2 and all(.[]; (keys == [\"extra\", \"name\", \"range\", \"unit\", \"value\"]) and (.value|type) == \"number\") and .[0].name == \"native/ready startup_ns\"' $TMP/gh.json"
check "--github-direction bigger: no higher-is-better metric, an empty array" \
	sh -c "$CVBENCH compare $TMP/base.json $TMP/slow.json --format github --github-direction bigger | jq -e 'length == 0'"
check "--format markdown: a table" \
	sh -c "$CVBENCH compare $TMP/base.json $TMP/slow.json --format markdown | grep -q '^| native/ready | startup_ns |'"
check "text: a table per metric, humanised medians with their ± and the MDE" \
	sh -c "$CVBENCH compare $TMP/base.json $TMP/slow.json >$TMP/hum.txt; [ \$(grep -Ec '^(startup_ns|agent_cpu_ns) \\(ns, lower is better\\)\$' $TMP/hum.txt) -eq 2 ] && [ \$(grep -Ec '^cell +base +new +change +95% CI of change +p +n +MDE +thr +verdict\$' $TMP/hum.txt) -eq 2 ] && [ \$(grep -Ec '^native/ready +1\\.04[0-9] ms ± [0-9.]+% +1\\.36[0-9] ms ± [0-9.]+% +\\+30\\.0% .* 15(\\+[0-9]+)? +[0-9.]+% +5% +REGRESSION\$' $TMP/hum.txt) -eq 2 ]"
check "--metric selects" \
	sh -c "$CVBENCH compare $TMP/base.json $TMP/slow.json --metric 'startup*' --format json | jq -e '[.comparisons[].metric] == [\"startup_ns\"]'"
check "--seed makes the interval reproducible" \
	sh -c "$CVBENCH compare $TMP/a.json $TMP/b.json --seed 7 --format json | jq -c .comparisons >$TMP/s1; $CVBENCH compare $TMP/a.json $TMP/b.json --seed 7 --format json | jq -c .comparisons >$TMP/s2; cmp -s $TMP/s1 $TMP/s2"
$CVBENCH compare "$TMP/base.json" "$TMP/slow.json" --out "$TMP/report.txt" >"$TMP/out.stdout" 2>&1
rc=$?
if [ $rc -eq 1 ] && [ ! -s "$TMP/out.stdout" ] && cmp -s "$TMP/report.txt" "$TMP/slow.txt"; then
	pass "--out writes the report there, nothing on stdout"
else
	fail "--out writes the report" "rc=$rc"
fi

# --- bad input: exit 2, one line on stderr, nothing written ------------------
bad_input() { # NAME ARGS...
	local name=$1
	shift
	rm -f "$TMP/bad.out"
	"$CVBENCH" "$@" >"$TMP/bad.stdout" 2>"$TMP/bad.err"
	local rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$TMP/bad.err")" -eq 1 ] && [ ! -s "$TMP/bad.stdout" ] && [ ! -e "$TMP/bad.out" ]; then
		pass "$name -> exit 2: $(cut -c1-120 "$TMP/bad.err")"
	else
		fail "$name" "rc=$rc stderr=$(cat "$TMP/bad.err")"
	fi
}
echo '{"schema_version": 1, "cells": [' >"$TMP/truncated.json"
jq '.schema_version = 2' "$TMP/a.json" >"$TMP/v2.json"
jq '.cells[0].label = "native/other"' "$TMP/a.json" >"$TMP/other.json"
jq '.cells[0].metrics |= map_values(.samples = [] | .launch_index = [])' "$TMP/a.json" >"$TMP/nosamples.json"
bad_input "compare: missing file" compare "$TMP/a.json" "$TMP/nonexistent.json" --out "$TMP/bad.out"
bad_input "compare: not JSON" compare "$TMP/truncated.json" "$TMP/a.json" --out "$TMP/bad.out"
bad_input "compare: not a results file (the schema)" compare "$TMP/a.json" "$SCHEMA" --out "$TMP/bad.out"
bad_input "compare: another schema_version" compare "$TMP/a.json" "$TMP/v2.json" --out "$TMP/bad.out"
bad_input "compare: no shared cell" compare "$TMP/a.json" "$TMP/other.json" --out "$TMP/bad.out"
bad_input "compare: no samples on one side" compare "$TMP/a.json" "$TMP/nosamples.json" --out "$TMP/bad.out"
bad_input "compare: --metric matches nothing" compare "$TMP/a.json" "$TMP/b.json" --metric nosuch --out "$TMP/bad.out"
bad_input "compare: one file" compare "$TMP/a.json" --out "$TMP/bad.out"
bad_input "compare: unknown option" compare "$TMP/a.json" "$TMP/b.json" --frobnicate
bad_input "compare: bad --threshold" compare "$TMP/a.json" "$TMP/b.json" --threshold fast
bad_input "compare: bad --alpha" compare "$TMP/a.json" "$TMP/b.json" --alpha 1.5
bad_input "compare: bad --format" compare "$TMP/a.json" "$TMP/b.json" --format xml
bad_input "export: missing file" export --csv "$TMP/nonexistent.json" --out "$TMP/bad.out"
bad_input "export: not a results file" export --csv "$SCHEMA" --out "$TMP/bad.out"
bad_input "merge: an input is not JSON" merge "$TMP/bad.out" "$TMP/a.json" "$TMP/truncated.json"
bad_input "merge: one input only" merge "$TMP/bad.out" "$TMP/a.json"
bad_input "merge: the same cell twice" merge "$TMP/bad.out" "$TMP/a.json" "$TMP/b.json"
bad_input "merge: the same run twice" merge --allow-duplicates "$TMP/bad.out" "$TMP/a.json" "$TMP/base.json"

# --- export -------------------------------------------------------------------
samples=$(jq '[.cells[].metrics[].samples | length] | add' "$TMP/a.json")
metrics=$(jq '[.cells[].metrics | length] | add' "$TMP/a.json")
check "export --csv: a header and one row per sample ($samples)" \
	sh -c "$CVBENCH export --csv $TMP/a.json >$TMP/a.csv && [ \$(wc -l <$TMP/a.csv) -eq $((samples + 1)) ]"
check "export: RFC 4180 records of 10 fields, values as in the file" \
	/usr/bin/python3 -c "
import csv, json, sys
rows = list(csv.reader(open('$TMP/a.csv', newline='')))
doc = json.load(open('$TMP/a.json'))
assert rows[0] == ['run_id', 'label', 'backend', 'workload', 'params', 'metric', 'unit', 'better', 'launch_index', 'value'], rows[0]
assert all(len(r) == 10 for r in rows)
m = doc['cells'][0]['metrics']['startup_ns']
got = [float(r[9]) for r in rows[1:] if r[5] == 'startup_ns']
assert got == m['samples'], (got, m['samples'])
assert all(r[0] == doc['run_id'] for r in rows[1:])
"
check "export --summary: one row per cell and metric, p50 as the file's" \
	sh -c "$CVBENCH export --csv --summary $TMP/a.json --out $TMP/s.csv && [ \$(wc -l <$TMP/s.csv) -eq $((metrics + 1)) ] && grep -q \",startup_ns,ns,lower,15,\$(jq '.cells[0].metrics.startup_ns.summary.p50' $TMP/a.json),\" $TMP/s.csv"

# --- merge --------------------------------------------------------------------
check "merge two shards: exit 0" $CVBENCH merge "$TMP/m.json" "$TMP/a.json" "$TMP/idle.json"
check "merged shards validate against the schema" validate "$TMP/m.json"
check "merged: both cells, hosts, host_ref, merged_from, run_ref" \
	jq -e --arg a "$(jq -r .run_id "$TMP/a.json")" --arg i "$(jq -r .run_id "$TMP/idle.json")" \
	'(.cells | length) == 2 and (.hosts | length) >= 1 and .merged_from == [$a, $i] and ([.cells[].host_ref] | all(. >= 0)) and .cells[1].launches[0].run_ref == 1 and .run_id != $a' "$TMP/m.json"
check "merge --allow-duplicates pools two runs of one cell" \
	$CVBENCH merge --allow-duplicates "$TMP/pooled.json" "$TMP/a.json" "$TMP/b.json"
check "pooled file validates against the schema" validate "$TMP/pooled.json"
check "pooled: 30 samples, summary of 30, launch_index into 32 launches" \
	jq -e '.cells[0].metrics.startup_ns | (.samples | length) == 30 and .summary.n == 30 and (.launch_index | max) == 31' "$TMP/pooled.json"
check "compare reads merged files" \
	sh -c "$CVBENCH compare $TMP/m.json $TMP/a.json | grep -q 'only in base: native/idle'"
pooled_samples=$(jq '[.cells[].metrics[].samples | length] | add' "$TMP/pooled.json")
check "export reads merged files, run_id per sample ($pooled_samples rows)" \
	sh -c "$CVBENCH export $TMP/pooled.json >$TMP/p.csv && [ \$(wc -l <$TMP/p.csv) -eq $((pooled_samples + 1)) ] && grep -q \"^\$(jq -r .run_id $TMP/b.json),\" $TMP/p.csv"
check "merge again over a merged file replaces it" $CVBENCH merge "$TMP/m.json" "$TMP/idle.json" "$TMP/a.json"
cp "$TMP/b.json" "$TMP/b-copy.json"
check "merge refuses to replace a run's results (OUT forgotten): exit 2, file kept" \
	sh -c "$CVBENCH merge $TMP/b-copy.json $TMP/a.json $TMP/idle.json 2>$TMP/e; [ \$? -eq 2 ] && [ \$(wc -l <$TMP/e) -eq 1 ] && cmp -s $TMP/b.json $TMP/b-copy.json"
check "compare --out naming an input: exit 2, input kept" \
	sh -c "$CVBENCH compare $TMP/b-copy.json $TMP/a.json --out $TMP/b-copy.json 2>/dev/null; [ \$? -eq 2 ] && cmp -s $TMP/b.json $TMP/b-copy.json"
check "no temporary file left beside the outputs" sh -c "! ls -A $TMP | grep -q '\.tmp\.'"

finish
