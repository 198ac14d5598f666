#!/usr/bin/env bash
# What each hardening step costs at start: the container backend with no
# hardening, each step alone, and all of them, alternating round by round in
# one run. Prints medians, p90s and the ratio to the unhardened start.
# (Their cost per system call is the syscall workload's business:
#  cvbench run --backend container --workload syscall --harden ...)
# Usage (root): scripts/bench-container-harden.sh [ROUNDS, default 10] [REPS, default 10]
set -uo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-10}
reps=${2:-10}
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 1; }
[ -x build/cvbench ] || make -s
tmp=$(mktemp -d /tmp/cvb-harden-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
steps=(none caps nnp seccomp seccomp=denylist caps,seccomp all)
for ((r = 1; r <= rounds; r++)); do
	for h in "${steps[@]}"; do
		build/cvbench run --backend container --workload ready --harden "$h" --reps "$reps" \
			--warmup 2 --quiet --out "$tmp/$h.r$r.json" 2>"$tmp/err" ||
			echo "--harden $h: run failed: $(tail -n1 "$tmp/err")" >&2
	done
done
python3 - "$tmp" "${steps[@]}" <<'PY'
import json, sys, glob
tmp, steps = sys.argv[1], sys.argv[2:]
def pct(xs, p):
    xs = sorted(xs); h = (len(xs) - 1) * p; lo = int(h)
    return xs[lo] + (h - lo) * (xs[min(lo + 1, len(xs) - 1)] - xs[lo])
data = {s: [v for f in glob.glob(f"{tmp}/{s}.r*.json")
            for v in json.load(open(f))["cells"][0]["metrics"].get("startup_ns", {}).get("samples", [])]
        for s in steps}
base = pct(data["none"], .5)
print(f"{'--harden':14} {'n':>5} {'p50':>9} {'p90':>9} {'p50 - none':>11} {'ratio':>6}")
for s in steps:
    xs = data[s]
    if xs:
        print(f"{s:14} {len(xs):5d} {pct(xs,.5)/1e6:7.2f}ms {pct(xs,.9)/1e6:7.2f}ms "
              f"{(pct(xs,.5)-base)/1e3:9.0f}us {pct(xs,.5)/base:6.2f}")
PY
