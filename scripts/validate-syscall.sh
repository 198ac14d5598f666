#!/usr/bin/env bash
# Checks the `syscall` workload's getppid figure against an independent
# measurement on this host: `perf bench syscall basic` (Debian's linux-perf;
# glibc getppid() in a loop, reported in usecs/op), or, where perf is
# missing or refuses to run, a loop of syscall(SYS_getppid) compiled here
# with gcc. The two alternate, 3 rounds each, so drift hits both alike.
# Prints both medians and their ratio; exits 1 if they differ by more than
# 10%. The reference's figure keeps its loop's cost (~1-2 ns, <1% here),
# the agent's has it subtracted.
# Usage: scripts/validate-syscall.sh [LAUNCHES per round, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-5}
rounds=3
perf_loops=5000000
[ -x build/cvbench ] && [ -x build/cvb-agent ] || make -s
tmp=$(mktemp -d /tmp/cvb-validate-syscall-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if perf bench syscall basic -l 1000 >"$tmp/probe.txt" 2>&1 && grep -q 'usecs/op' "$tmp/probe.txt"; then
	ref="perf bench syscall basic"
	reference() { perf bench syscall basic -l "$perf_loops" 2>&1 | awk '/usecs\/op/ { print $1 * 1000 }'; }
else
	echo "perf bench syscall basic is unavailable ($(head -n1 "$tmp/probe.txt")):" \
		"using a gcc-compiled syscall(SYS_getppid) loop instead"
	command -v gcc >/dev/null || { echo "needs perf (linux-perf) or gcc" >&2; exit 2; }
	cat >"$tmp/getppid-loop.c" <<'EOF'
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
int main(void)
{
	const long n = 5000000;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.3f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
EOF
	gcc -O2 -o "$tmp/getppid-loop" "$tmp/getppid-loop.c"
	ref="gcc-compiled syscall(SYS_getppid) loop"
	reference() { "$tmp/getppid-loop"; }
fi

for round in $(seq "$rounds"); do
	build/cvbench run --backend native --workload syscall --reps "$reps" --warmup 1 --quiet \
		--out "$tmp/cvb-$round.json"
	reference >"$tmp/ref-$round.txt"
	[ -s "$tmp/ref-$round.txt" ] || { echo "no figure from $ref in round $round" >&2; exit 2; }
done

python3 - "$tmp" "$rounds" "$ref" <<'PY'
import json, statistics, sys
tmp, rounds, ref = sys.argv[1], int(sys.argv[2]), sys.argv[3]
agent, refs = [], []
for r in range(1, rounds + 1):
    cell = json.load(open(f"{tmp}/cvb-{r}.json"))["cells"][0]
    xs = cell["metrics"]["syscall_getppid_ns"]["samples"]
    y = float(open(f"{tmp}/ref-{r}.txt").read().split()[0])
    agent.extend(xs)
    refs.append(y)
    print(f"round {r}: cvb-agent syscall (native) getppid p50 {statistics.median(xs):7.1f} ns"
          f" ({len(xs)} launches); {ref}: {y:7.1f} ns")
a, b = statistics.median(agent), statistics.median(refs)
ratio = a / b
print(f"median: cvb-agent {a:.1f} ns (n={len(agent)}), {ref} {b:.1f} ns (n={len(refs)}), "
      f"ratio {ratio:.3f}")
if abs(ratio - 1) > 0.10:
    print(f"FAIL: the figures differ by {abs(ratio - 1) * 100:.1f}% (> 10%)")
    sys.exit(1)
print(f"ok: within 10% ({abs(ratio - 1) * 100:.1f}%)")
PY
