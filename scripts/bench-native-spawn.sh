#!/usr/bin/env bash
# Native startup in context: cvbench's native launch -> READY of the static
# agent, next to hyperfine's spawn-to-exit of /bin/true and of the agent
# itself, alternated in one run (3 rounds each). Prints medians, p99s and
# ratios. cvbench runs twice per round: back to back like hyperfine, and with
# its default pause before each launch. Usage: scripts/bench-native-spawn.sh [REPS per round, default 200]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-200}
command -v hyperfine >/dev/null || { echo "needs hyperfine (scripts/setup.sh)" >&2; exit 1; }
[ -x build/cvbench ] || make -s
tmp=$(mktemp -d /tmp/cvb-bench-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

for round in 1 2 3; do
	hyperfine -N --style none --warmup 10 --runs "$reps" --export-json "$tmp/hf$round.json" \
		/bin/true 'build/cvb-agent ready' >/dev/null 2>&1
	# Back to back like hyperfine (--gap-ms 0), and with cvbench's default pause
	# before each launch (every launch then starts from an idle host).
	build/cvbench run --backend native --workload ready --reps "$reps" --warmup 10 --quiet \
		--gap-ms 0 --out "$tmp/cvb-gap0-$round.json"
	build/cvbench run --backend native --workload ready --reps "$reps" --warmup 10 --quiet \
		--out "$tmp/cvb-default-$round.json"
done

python3 - "$tmp" <<'PY'
import json, sys, glob, statistics
tmp = sys.argv[1]
def pct(xs, p):
    xs = sorted(xs); h = (len(xs) - 1) * p; lo = int(h)
    return xs[lo] + (h - lo) * (xs[min(lo + 1, len(xs) - 1)] - xs[lo])
series = {}
for f in sorted(glob.glob(f"{tmp}/hf*.json")):
    for r in json.load(open(f))["results"]:
        series.setdefault(f"hyperfine -N {r['command']} (spawn->exit)", []).extend(t * 1e9 for t in r["times"])
for kind, label in (("gap0", "back to back"), ("default", "default gap")):
    for f in sorted(glob.glob(f"{tmp}/cvb-{kind}-*.json")):
        series.setdefault(f"cvbench native ready, {label} (launch->READY)", []).extend(
            json.load(open(f))["cells"][0]["metrics"]["startup_ns"]["samples"])
base = statistics.median(series["hyperfine -N /bin/true (spawn->exit)"])
print(f"{'what':56} {'n':>5} {'p50':>10} {'p99':>10} {'p50 / true':>10}")
for name, xs in series.items():
    print(f"{name:56} {len(xs):5d} {pct(xs,.5)/1e3:8.0f}us {pct(xs,.99)/1e3:8.0f}us {pct(xs,.5)/base:10.2f}")
PY
