#!/usr/bin/env bash
# What each container hardening step costs, at start and per system call:
# one run of matrices/hardening.json (native; the container with no
# hardening, each step alone, both seccomp profiles, and all), whose cells
# cvbench interleaves round by round, so that every ratio compares samples
# taken side by side. Prints, per step, the startup p50 (ready workload) and
# the getppid p50 (syscall workload) with their 95% intervals and their
# ratios to the unhardened container.
# The run (results.json, plots, report) is kept in results/hardening-<time>/.
# Usage (root): scripts/bench-container-harden.sh [REPS, default the matrix's 20]
set -uo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "bench-container-harden: needs root" >&2; exit 1; }
[ -x build/cvbench ] || make -s
dir=results/hardening-$(date +%Y%m%d-%H%M%S)
reps=()
[ $# -ge 1 ] && reps=(--reps "$1")
mkdir -p "$dir"
start=$(date +%s)
build/cvbench run --matrix matrices/hardening.json "${reps[@]}" --quiet --out "$dir/results.json" ||
	{ echo "bench-container-harden: the run failed" >&2; exit 1; }
echo "one run of matrices/hardening.json, $(($(date +%s) - start)) s"
python3 - "$dir/results.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
rows = {}  # variant label -> {metric: summary}
for c in doc["cells"]:
    lab = c["label"].split(" ", 1)
    key = c["backend"] + ("" if len(lab) == 1 else " " + lab[1])
    key = {"container harden=caps,nnp,seccomp": "container harden=all (caps,nnp,seccomp)",
           "container harden=caps,nnp,seccomp=denylist": "container harden=caps,nnp,seccomp=denylist"}.get(key, key)
    for m in ("startup_ns", "syscall_getppid_ns"):
        if m in c["metrics"] and (m == "syscall_getppid_ns" or c["workload"] == "ready"):
            rows.setdefault(key, {})[m] = c["metrics"][m]["summary"]
base = rows.get("container", {})
def cell(key, m, scale, unit):
    s = rows[key].get(m)
    if not s:
        return "-", "-"
    lo, hi = s["ci95"] if s.get("ci95") else (None, None)
    ci = f" [{lo/scale:.2f}, {hi/scale:.2f}]" if lo is not None else ""
    r = f"{s['p50'] / base[m]['p50']:.2f}" if m in base else "-"
    return f"{s['p50']/scale:.2f}{unit}{ci}", r
print(f"| {'cell':40} | startup p50 [95% CI] | x none | getppid p50 [95% CI] | x none |")
print("|---|---|---|---|---|")
for key in rows:
    st, sr = cell(key, "startup_ns", 1e6, " ms")
    gp, gr = cell(key, "syscall_getppid_ns", 1, " ns")
    print(f"| {key:40} | {st} | {sr} | {gp} | {gr} |")
PY
