#!/usr/bin/env bash
# Analysis at scale: how long each reading command (export, export --summary,
# compare, report, merge, plot) takes on a results file whose one metric
# holds a million samples, with this build and, where given, an older one.
#
#   scripts/bench-analysis.sh [--new BIN] [--old BIN | --old-rev REV]
#                             [--samples N] [--timeout S] [--template FILE]
#                             [--keep DIR]
#   scripts/bench-analysis.sh --generate OUT.json [--samples N] [--template FILE]
#                             [--run-id ID] [--seed N]
#
# The file is made here, deterministically (a fixed seed, no measurement):
# the template (default: tests/fixtures/reports/vm-create-52s.json, a real
# run's file from this kind of host) with the samples of one metric
# (startup_ns of its first cell) replaced by N lognormal values (median:
# the template's median, sigma 0.25, whole nanoseconds, as startup_ns is),
# launch_index spread over the cell's launches in equal consecutive blocks,
# and that metric's summary recomputed (type-7 percentiles, sample sd, MAD
# outliers, the median's interval at the binomial order statistics' ranks
# by the normal approximation, exact enough at this n for a fixture). It is
# written in cvbench's own layout (cJSON_Print's: one member a line, arrays
# on one line): 16 MB for a million samples, as `cvbench run` would write.
# A second shard (another run id, its cell relabelled) and a copy with the
# same cells but another run id give merge something to join and to pool.
#
# Each command runs three times with the new build (the best wall time is
# printed: the least disturbed by the rest of the machine) and once with
# the old one, outputs to a scratch directory (removed at the end unless
# --keep); an old build that does not finish within --timeout (default
# 120 s) is killed and prints "> 120 s". Writes go through cvbench's atomic
# writes, fsync included. Performance claims about the reading commands
# live here, never in timed tests. It only reads and writes files: no
# measurement is launched.
#
# --old-rev REV builds REV (e.g. 4970054, before issue 11) in a git
# worktree at /tmp/cvb-old-REV (its own build directory; this tree's git
# state is not touched) unless that build exists already.
set -euo pipefail
CALLER_DIR=$PWD
cd "$(dirname "$0")/.."

SAMPLES=1000000
TIMEOUT=120
TEMPLATE=tests/fixtures/reports/vm-create-52s.json
NEW=build/cvbench
OLD=
OLD_REV=
KEEP=
GENERATE=
RUN_ID=
SEED=20261211

# A path the caller gave, absolute (the script runs from the tree's top).
from_caller() { case $1 in /*) echo "$1" ;; *) echo "$CALLER_DIR/$1" ;; esac; }

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
	case $1 in
	--samples) SAMPLES=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--template) TEMPLATE=$(from_caller "$2"); shift 2 ;;
	--new) NEW=$(from_caller "$2"); shift 2 ;;
	--old) OLD=$(from_caller "$2"); shift 2 ;;
	--old-rev) OLD_REV=$2; shift 2 ;;
	--keep) KEEP=$(from_caller "$2"); shift 2 ;;
	--generate) GENERATE=$(from_caller "$2"); shift 2 ;;
	--run-id) RUN_ID=$2; shift 2 ;;
	--seed) SEED=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "bench-analysis.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done

# generate OUT N RUN_ID RELABEL: the big file (see the header).
generate() {
	/usr/bin/python3 - "$TEMPLATE" "$1" "$2" "$3" "$4" "$SEED" <<'EOF'
import json, math, random, sys

template, out, n, run_id, relabel, seed = sys.argv[1:7]
n = int(n)
doc = json.load(open(template))
if run_id:
    doc["run_id"] = run_id
cell = next(c for c in doc["cells"] if "startup_ns" in c.get("metrics", {}))
if relabel:
    cell["label"] = cell.get("label", cell["backend"] + "/" + cell["workload"]) + relabel
m = cell["metrics"]["startup_ns"]
old = sorted(m["samples"])
median = old[len(old) // 2] if old else 1e6
rng = random.Random(int(seed))
mu = math.log(median)
x = [float(round(math.exp(rng.gauss(mu, 0.25)))) for _ in range(n)]
launches = max(1, len(cell.get("launches", [])))
m["samples"] = x
m["launch_index"] = [i * launches // n for i in range(n)]

s = sorted(x)
def q7(p):
    h = (n - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, n - 1)
    return s[lo] + (h - lo) * (s[hi] - s[lo])
mean = math.fsum(x) / n
sd = math.sqrt(math.fsum((v - mean) ** 2 for v in x) / (n - 1)) if n > 1 else 0.0
p50 = q7(0.5)
dev = sorted(abs(v - p50) for v in x)
mad = dev[(n - 1) // 2] if n % 2 else (dev[n // 2 - 1] + dev[n // 2]) / 2
outliers = [i for i, v in enumerate(x) if mad > 0 and abs(0.6745 * (v - p50) / mad) > 3.5]
# The binomial order-statistic interval, its ranks by the normal
# approximation (exact enough at this n for a fixture).
d = max(1, math.floor(n / 2 - 1.959964 * math.sqrt(n) / 2))
m["summary"] = {
    "n": n, "min": s[0], "p50": p50, "p90": q7(0.9), "p99": q7(0.99), "max": s[-1],
    "mean": mean, "sd": sd, "cov": sd / mean if mean else 0.0,
    "ci95": [s[d - 1], s[n - d]], "outliers": outliers,
}

# Written as cvbench writes results (cJSON_Print: objects one member a
# line, indented with tabs, arrays on one line), so that the file has the
# size and shape of a real one.
ESC = {'"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t'}
def string(v):
    return '"' + "".join(ESC.get(c, c if ord(c) >= 32 else "\\u%04x" % ord(c)) for c in v) + '"'
def number(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if v != v or v in (float("inf"), float("-inf")):
        return "null"
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)
def dump(v, depth, parts):
    if v is None:
        parts.append("null")
    elif isinstance(v, str):
        parts.append(string(v))
    elif isinstance(v, (bool, int, float)):
        parts.append(number(v))
    elif isinstance(v, list):
        if v and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
            parts.append("[" + ", ".join(map(number, v)) + "]")
            return
        parts.append("[")
        for i, x in enumerate(v):
            if i:
                parts.append(", ")
            dump(x, depth + 1, parts)
        parts.append("]")
    else:
        parts.append("{\n")
        items = list(v.items())
        for i, (k, x) in enumerate(items):
            parts.append("\t" * (depth + 1) + string(k) + ":\t")
            dump(x, depth + 1, parts)
            parts.append(",\n" if i + 1 < len(items) else "\n")
        parts.append("\t" * depth + "}")
parts = []
dump(doc, 0, parts)
with open(out, "w") as f:
    f.write("".join(parts))
    f.write("\n")
EOF
}

if [ -n "$GENERATE" ]; then
	generate "$GENERATE" "$SAMPLES" "$RUN_ID" ""
	exit 0
fi

if [ -n "$OLD_REV" ] && [ -z "$OLD" ]; then
	wt=/tmp/cvb-old-$OLD_REV
	if [ ! -x "$wt/build/cvbench" ]; then
		[ -d "$wt" ] || git worktree add --detach "$wt" "$OLD_REV" >&2
		make -s -C "$wt" -j"$(nproc)" BUILD=build all >&2
	fi
	OLD=$wt/build/cvbench
fi
[ -x "$NEW" ] || { echo "bench-analysis.sh: no cvbench at '$NEW' (make, or --new BIN)" >&2; exit 2; }

if [ -n "$KEEP" ]; then
	W=$KEEP
	mkdir -p "$W"
else
	W=$(mktemp -d /tmp/cvb-bench-analysis-XXXXXX)
	trap 'rm -rf "$W"' EXIT
fi

echo "generating $SAMPLES samples into $W ..." >&2
t0=$(date +%s%N)
generate "$W/big.json" "$SAMPLES" "" ""
generate "$W/shard.json" 5 "bench-shard-2" " shard=2"
generate "$W/big2.json" "$SAMPLES" "bench-copy-2" ""
t1=$(date +%s%N)
echo "generated in $(((t1 - t0) / 1000000)) ms; big.json is $(du -h "$W/big.json" | cut -f1)" >&2

# timed BIN DIR ARGS...: runs cvbench ARGS (@O@ is DIR, emptied first) and
# sets T to its wall time in seconds, or "> TIMEOUT s" when killed at the
# timeout; RC to its exit status.
timed() {
	local bin=$1 dir=$2 a b
	shift 2
	rm -rf "$dir"
	mkdir -p "$dir"
	local args=("${@//@O@/$dir}")
	a=$(date +%s%N)
	# (the group's stderr takes bash's "Killed" notice of a timed-out run)
	{ timeout -s KILL "$TIMEOUT" "$bin" "${args[@]}" >"$dir.stdout" 2>"$dir.stderr"; } 2>/dev/null && RC=0 || RC=$?
	b=$(date +%s%N)
	if [ "$RC" -eq 137 ]; then
		T="> $TIMEOUT s"
	else
		T=$(awk -v ns=$((b - a)) 'BEGIN { printf "%.3f s", ns / 1e9 }')
	fi
}

# The commands: NAME|ARGS, @W@ the scratch directory, @O@ the command's
# own output directory.
commands=(
	"export --csv|export --csv @W@/big.json --out @O@/samples.csv"
	"export --csv --summary|export --csv --summary @W@/big.json --out @O@/summary.csv"
	"compare F F --metric startup_ns|compare @W@/big.json @W@/big.json --metric startup_ns"
	"compare F G (all metrics)|compare @W@/big.json @W@/big2.json"
	"report|report @W@/big.json --out-dir @O@"
	"merge (+ a small shard)|merge @O@/merged.json @W@/big.json @W@/shard.json"
	"merge --allow-duplicates F G|merge --allow-duplicates @O@/pooled.json @W@/big.json @W@/big2.json"
	"plot|plot @W@/big.json --out-dir @O@/plots"
)

echo "new: $NEW${OLD:+; old: $OLD}; new is the best of 3 runs, old one run (timeout $TIMEOUT s)"
printf '%-34s %12s %12s %9s\n' "command ($SAMPLES samples)" new "${OLD:+old}" "${OLD:+old/new}"
k=0
for entry in "${commands[@]}"; do
	name=${entry%%|*}
	read -r -a args <<<"${entry#*|}"
	args=("${args[@]//@W@/$W}")
	k=$((k + 1))
	best=
	for run in 1 2 3; do
		timed "$NEW" "$W/new-$k" "${args[@]}"
		[ "$RC" -eq 0 ] || [ "$RC" -eq 1 ] || { echo "new '$name' failed (exit $RC): $(tail -n 2 "$W/new-$k.stderr")" >&2; break; }
		if [ -z "$best" ] || awk -v a="${T% s}" -v b="${best% s}" 'BEGIN { exit !(a < b) }'; then
			best=$T
		fi
	done
	old_t= ratio=
	if [ -n "$OLD" ]; then
		timed "$OLD" "$W/old-$k" "${args[@]}"
		old_t=$T
		[ "$RC" -eq 0 ] || [ "$RC" -eq 1 ] || [ "$RC" -eq 137 ] || old_t="$T (exit $RC)"
		ratio=$(awk -v n="${best% s}" -v o="$old_t" 'BEGIN {
			if (o ~ /^>/) { split(o, b, " "); printf ">%.0fx", b[2] / n; exit }
			split(o, b, " "); if (n > 0) printf "%.0fx", b[1] / n }')
	fi
	printf '%-34s %12s %12s %9s\n' "$name" "$best" "$old_t" "$ratio"
done
