#!/usr/bin/env bash
# Checks the PSS cvbench reports for an idle instance (host_pss_bytes)
# against the sum of its processes' PSS read independently by this script
# while the instance holds, natively and in a container.
#
# Like with like: cvbench reads the agent's /proc/PID/smaps_rollup once, at
# --settle-ms after READY. This script watches cvbench's own children from
# outside: every instance is found by the CVB_INSTANCE=cvb-<run-id>-<n> in
# its environment (the run id ends in cvbench's pid), and its processes are,
# natively, the agent and all its descendants, and in a container every
# process in its cgroup (cgroup.procs of <cgroup mount>/cvbench/<name>, in
# every hierarchy); their smaps_rollup Pss lines are summed every 50 ms
# while it lives. The reference is the median of those sums once the agent
# has had 200 ms to say READY; the verdict compares it with cvbench's value
# for the same instance (5%). The readings' range shows whether the
# footprint moved while it was held.
# Usage: scripts/validate-memory.sh [LAUNCHES per backend, default 3]
set -euo pipefail
# shellcheck source=scripts/validate-lib.sh
source "$(dirname "$0")/validate-lib.sh"
launches=${1:-3}
settle_ms=800
validate_ensure_built
validate_tmp validate-memory

# Runs in the background until the stop file appears; writes every
# instance's readings as JSON.
watch_instances() { # CVBENCH_PID STOP_FILE OUT
	python3 - "$@" <<'PY'
import json, os, re, sys, time
cvb_pid, stop, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
name_re = re.compile(rb"(?:^|\0)CVB_INSTANCE=(cvb-[0-9T]+-%x-[0-9]+)(?:\0|$)" % cvb_pid)
mounts = [l.split()[4] for l in open("/proc/self/mountinfo") if " - cgroup" in l]

def children(pid):
    try:
        return [int(c) for c in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    except OSError:
        return []

def descendants(pid):
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo += children(p)
    return seen

def instance_name(pid):
    try:
        m = name_re.search(open(f"/proc/{pid}/environ", "rb").read())
    except OSError:
        return None
    return m.group(1).decode() if m else None

def cgroup_pids(name):
    """The pids of every cgroup of that name, and how many cgroups there were."""
    pids, found = set(), 0
    for mnt in mounts:
        try:
            pids |= {int(p) for p in open(f"{mnt}/cvbench/{name}/cgroup.procs").read().split()}
            found += 1
        except OSError:
            pass
    return pids, found

def pss_kb(pid):
    for line in open(f"/proc/{pid}/smaps_rollup"):
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0

readings = {}
while not os.path.exists(stop):
    agents = {}
    for p in descendants(cvb_pid)[1:]:
        n = instance_name(p)
        if n and n not in agents.values():
            agents[p] = n
    for pid, name in agents.items():
        in_cgroups, n_cgroups = cgroup_pids(name)
        procs = set(descendants(pid)) | in_cgroups
        t = time.monotonic_ns()
        try:
            total = sum(pss_kb(p) for p in procs)
        except OSError:
            continue  # it ended while being read
        readings.setdefault(name, []).append([t, total, sorted(procs), n_cgroups])
    time.sleep(0.05)
json.dump(readings, open(out, "w"))
PY
}

echo "idle PSS: cvbench's host_pss_bytes against the sum of smaps_rollup Pss of each" \
	"instance's processes, read by this script every 50 ms while it holds" \
	"(native and container, $launches launches each, settle ${settle_ms} ms)"
"$CVBENCH" run --backend native,container --workload idle --reps "$launches" --warmup 0 \
	--settle-ms "$settle_ms" --quiet --out "$VALIDATE_TMP/run.json" \
	2>"$VALIDATE_TMP/cvbench.err" &
cvb=$!
watch_instances "$cvb" "$VALIDATE_TMP/stop" "$VALIDATE_TMP/readings.json" &
watcher=$!
validate_wait_background "$cvb" "$watcher"

python3 - "$VALIDATE_TMP" "$(validate_rows_file)" <<'PY'
import json, statistics as st, sys
tmp, rows = sys.argv[1], sys.argv[2]
doc = json.load(open(f"{tmp}/run.json"))
readings = json.load(open(f"{tmp}/readings.json"))
out = open(rows, "a")
for cell in doc["cells"]:
    be = cell["backend"]
    if cell["status"] != "ok":
        sys.exit(f"{cell['label']}: {cell['status']}: {cell.get('reason', '')}")
    m = cell["metrics"]["host_pss_bytes"]
    by_index = {l["index"]: l for l in cell["launches"] if not l["warmup"]}
    cvb, ref = [], []
    for v, ix in zip(m["samples"], m["launch_index"]):
        name = f"cvb-{doc['run_id']}-{by_index[ix]['instance']}"
        rs = readings.get(name, [])
        held = [r for r in rs if r[0] - rs[0][0] >= 200e6] if rs else []
        if not held:
            sys.exit(f"{name}: this script saw the instance for less than 200 ms"
                     f" ({len(rs)} readings)")
        sums = [r[1] for r in held]
        procs = max(len(r[2]) for r in held)
        cgroups = max(r[3] for r in held)
        if be == "container" and not cgroups:
            sys.exit(f"{name}: no cgroup of that name under any cgroup mount's cvbench/")
        cvb.append(v / 1024)
        ref.append(st.median(sums))
        print(f"{be:>9} {name}: cvbench {v / 1024:.0f} KiB; script {st.median(sums):.0f} KiB"
              f" (median of {len(sums)} readings, range {min(sums)}..{max(sums)} KiB,"
              f" {procs} process{'es' if procs > 1 else ''}"
              + (f", from {cgroups} cgroup hierarchies" if cgroups else "") + ")")
    C, R = st.median(cvb), st.median(ref)
    diff = (C / R - 1) * 100
    ok = abs(diff) <= 5
    print(f"{be:>9}: median cvbench {C:.0f} KiB, script {R:.0f} KiB, {diff:+.1f}%:"
          f" {'ok, within 5%' if ok else 'FAIL, more than 5% apart'}")
    what = "the agent and its descendants" if be == "native" else "the processes of its cgroup"
    out.write(f"idle instance PSS, {be} (KiB)\t{C:.0f}\t{R:.0f} (smaps_rollup of {what})\t"
              f"{diff:+.1f}%\t{'ok' if ok else 'FAIL'}\n")
print("what still differs: the two read the same kernel counters at different moments"
      " (cvbench once at settle time, the script every 50 ms); PSS moves only when pages are"
      " touched or when the number of processes sharing a page changes, which an idle static"
      " agent hardly does; cvbench reads the container's init only, the script every process"
      " of its cgroup (one here: the agent is alone in its container)")
PY
validate_finish
