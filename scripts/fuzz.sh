#!/usr/bin/env bash
# Runs the libFuzzer targets `make fuzz` built, each for SECONDS from its
# seed corpus tests/fuzz/corpus/<target>/. Fails on the first crash, leak,
# sanitizer report, timeout or failed check, leaving the input in
# BUILD/artifacts/ (add it to the seed corpus once fixed).
#   scripts/fuzz.sh [--build DIR] [--seconds N] [--corpus DIR] [TARGET...]
# --corpus keeps what each run found in DIR/<target>/ for the next run
# (default: a temporary copy, so the seed corpus never changes by itself).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
build=build-fuzz seconds=20 keep=""
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--corpus) keep=$2; shift 2 ;;
	-h | --help) sed -n '2,9p' "$0"; exit 0 ;;
	-*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for d in tests/fuzz/corpus/*/; do targets+=("$(basename "$d")"); done
fi
work=$(mktemp -d /tmp/cvb-fuzz-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$build/artifacts"

for t in "${targets[@]}"; do
	bin="$build/fuzz/fuzz_$t"
	[ -x "$bin" ] || { echo "fuzz.sh: no $bin (run 'make fuzz')" >&2; exit 2; }
	corpus=${keep:+$keep/$t}
	corpus=${corpus:-$work/corpus-$t}
	mkdir -p "$corpus"
	start=$(date +%s)
	# -timeout: an input that takes 10 s is a hang; -rss_limit_mb: one
	# that needs 2 GB is a memory bomb. Both are failures.
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$work/" "$corpus" "tests/fuzz/corpus/$t" >"$work/log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
	if [ $rc -ne 0 ]; then
		grep -E -A30 'ERROR|==[0-9]+==|deadly|Test unit written' "$work/log" | head -60
		for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
			[ -e "$a" ] || continue
			cp "$a" "$build/artifacts/$t-$(basename "$a")"
			echo "FAIL fuzz_$t: input kept in $build/artifacts/$t-$(basename "$a")"
		done
		echo "FAIL fuzz_$t (exit $rc) after ${runs:-?} runs"
		exit 1
	fi
	echo "ok   fuzz_$t: ${runs:-?} runs in $(($(date +%s) - start)) s, no crash"
done
