#!/usr/bin/env bash
# Runs the ASan+UBSan build (`make sanitize` builds it into BUILD, default
# build-sanitize): every unit test, then a short native+container run and the
# commands that read its results back. Fails on any sanitizer report, on any
# failed test or launch. As root; without root the container cells are left
# out, saying so.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
BUILD=${1:-build-sanitize}
work=$(mktemp -d /tmp/cvb-sanitize-XXXXXX)
trap 'rm -rf "$work"' EXIT

# Reports go to stderr, which is captured and searched: a log_path file is not
# reachable from a container init after pivot_root. LeakSanitizer runs too.
export ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=0:abort_on_error=0:exitcode=86
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=86
# ASan warns once per process that it cannot clean the CLONE_VM child's stack
# at a noreturn call (it does not know that stack); container.c cleans it
# before each clone, so these three lines are expected and not a report.
allowed='ASan is ignoring requested __asan_handle_no_return|^False positive error reports may follow|^For details see https://github.com/google/sanitizers/issues/189'
reports='Sanitizer|runtime error:|^==[0-9]+==|ASan|^SUMMARY:'

failed=0
# check NAME RC LOG: a step passes when it exited 0 and said nothing a
# sanitizer says.
check() {
	local name=$1 rc=$2 log=$3 found
	found=$(grep -E "$reports" "$log" | grep -Ev "$allowed" || true)
	if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
		echo "FAIL $name (exit $rc)"
		if [ -n "$found" ]; then grep -E -A40 "$reports" "$log" | grep -Ev "$allowed" | head -80; else tail -20 "$log"; fi
		failed=$((failed + 1))
	else
		echo "ok   $name"
	fi
}

step() { # step NAME CMD...: runs CMD, output in a log, then check
	local name=$1
	shift
	"$@" >"$work/log" 2>&1
	check "$name" $? "$work/log"
}

n=0
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	step "unit $(basename "$t")" "$t"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "sanitize: no unit tests in $BUILD/tests (run 'make sanitize')"; exit 1; }

cvb="$BUILD/cvbench"
backends=native,container
if [ "$(id -u)" -ne 0 ]; then
	backends=native
	echo "sanitize: not root: the container cells are left out"
fi
r="$work/run.json"
step "run $backends ready x3" "$cvb" run --backend "$backends" --workload ready --reps 3 \
	--warmup 1 --gap-ms 5 --out "$r"
if [ "$backends" != native ]; then
	# Hardening and every namespace, user included: seccomp, caps, id maps.
	step "run container harden=all ns=+user x3" "$cvb" run --backend container \
		--workload ready --reps 3 --warmup 1 --gap-ms 5 --harden all \
		--ns pid,mnt,net,uts,ipc,cgroup,user --out "$work/hard.json"
fi
if [ -s "$r" ]; then
	step "report" "$cvb" report "$r" --out-dir "$work/report"
	step "compare" "$cvb" compare "$r" "$r"
	step "export" "$cvb" export --csv "$r" --out "$work/r.csv"
	[ -s "$work/hard.json" ] && step "merge" "$cvb" merge "$work/merged.json" "$r" "$work/hard.json"
fi
step "plan default matrix" "$cvb" plan matrices/default.json
step "list" "$cvb" list

if [ "$failed" -ne 0 ]; then
	echo "sanitize: $failed step(s) failed"
	exit 1
fi
echo "sanitize: clean ($n unit test binaries, $backends run)"
