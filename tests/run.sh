#!/usr/bin/env bash
# Runs every unit test binary and integration script; prints one closing
# line "tests: N passed, N failed, N skipped" and exits non-zero on failure.
set -u
BUILD=${1:-build}
export BUILD
cd "$(dirname "$0")/.." || exit 1
passed=0 failed=0 skipped=0 broken=""

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	echo "== unit: $(basename "$t")"
	out=$("$t" 2>&1)
	rc=$?
	echo "$out" | grep -E '^\[  (FAILED|SKIPPED|PASSED) |^\[==========\] [0-9]+ test|^SKIP|^skipping|ERROR|Failure|error' || true
	ran=$(echo "$out" | sed -n 's/^\[==========\] \([0-9]*\) test(s) run\./\1/p' | tail -n1)
	nskip=$(echo "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test(s), listed below:$/\1/p' | tail -n1)
	nfail=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:$/\1/p' | tail -n1)
	ran=${ran:-0} nskip=${nskip:-0} nfail=${nfail:-0}
	if [ $rc -ne 0 ] && [ "$nfail" -eq 0 ]; then nfail=1; fi # crashed before reporting
	passed=$((passed + ran - nfail - nskip))
	failed=$((failed + nfail))
	skipped=$((skipped + nskip))
	[ $rc -eq 0 ] || broken="$broken $(basename "$t")"
done

for t in tests/integration/test_*.sh; do
	echo "== integration: $(basename "$t")"
	out=$(bash "$t" 2>&1)
	rc=$?
	echo "$out"
	counts=$(echo "$out" | sed -n 's/^COUNTS \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' | tail -n1)
	if [ -z "$counts" ]; then
		failed=$((failed + 1))
		broken="$broken $(basename "$t")"
		continue
	fi
	set -- $counts
	passed=$((passed + $1))
	failed=$((failed + $2))
	skipped=$((skipped + $3))
	[ $rc -eq 0 ] || broken="$broken $(basename "$t")"
done

[ -z "$broken" ] || echo "failing:$broken"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ -z "$broken" ]
