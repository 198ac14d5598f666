#!/usr/bin/env bash
# Checks that a container under `--cpu-quota 20` gets 20% of a CPU, as the
# agent measures it and as its cgroup's own CPU counter says over the very
# same wall time.
#
# Like with like: cpu-hog burns CPU for duration_ms and reports its share,
# CPU time (CLOCK_PROCESS_CPUTIME_ID) / wall time (CLOCK_MONOTONIC), over the
# window it also reports as facts (cpu_hog_started_ns, cpu_hog_ended_ns, on
# CLOCK_MONOTONIC, which a container without a time namespace shares with the
# host). Meanwhile this script reads the cgroup's usage counter every 2 ms
# (v1 cpuacct.usage, v2 cpu.stat usage_usec, of <mount>/cvbench/<name>),
# stamping each reading with the host's CLOCK_MONOTONIC; the reference share
# is the counter's growth over the same window (interpolated between the
# readings around each end) / the window. Verdicts: the agent's share within
# 5 points of the quota, and within 2 points of the cgroup's.
# Usage: scripts/validate-cpu-quota.sh [LAUNCHES, default 3]
set -euo pipefail
# shellcheck source=scripts/validate-lib.sh
source "$(dirname "$0")/validate-lib.sh"
launches=${1:-3}
quota=20
duration_ms=2000
validate_ensure_built
validate_tmp validate-cpu-quota

# Runs in the background until the stop file appears; writes every cgroup's
# timestamped readings (ns of CPU) as JSON.
watch_cgroups() { # CVBENCH_PID STOP_FILE OUT
	python3 - "$@" <<'PY'
import glob, json, os, sys, time
cvb_pid, stop, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
v1 = v2 = None
for l in open("/proc/self/mountinfo"):
    f = l.split()
    fstype, opts = f[f.index("-") + 1], f[-1].split(",")
    if fstype == "cgroup" and "cpuacct" in opts:
        v1 = f[4]
    elif fstype == "cgroup2":
        v2 = f[4]
# A v1 cpuacct hierarchy is where cvbench accounts CPU when it exists
# (hybrid hosts have a cgroup2 mount too, without the cpu controller).
base, counter = (v1, "cpuacct.usage") if v1 else (v2, "cpu.stat")
pattern = f"{base}/cvbench/cvb-*-%x-*" % cvb_pid

def usage_ns(d):
    text = open(f"{d}/{counter}").read()
    if counter == "cpuacct.usage":
        return int(text)
    for line in text.splitlines():
        k, v = line.split()
        if k == "usage_usec":
            return int(v) * 1000
    raise OSError("no usage_usec")

readings = {}
while not os.path.exists(stop):
    # Looked for on every pass: a new cgroup must be read before its hog
    # starts, a few ms after it is made (clone, exec, READY, mounts).
    for d in glob.glob(pattern):
        try:
            u = usage_ns(d)
        except OSError:
            continue  # removed while being read
        readings.setdefault(os.path.basename(d), []).append([time.monotonic_ns(), u])
    time.sleep(0.002)
json.dump({"counter": f"{base}/cvbench/<name>/{counter}", "readings": readings}, open(out, "w"))
PY
}

echo "CPU quota: cpu-hog in a container under --cpu-quota $quota for $duration_ms ms," \
	"$launches launches; the agent's share against its cgroup's usage counter read by this" \
	"script every 2 ms over the same window"
"$CVBENCH" run --backend container --workload cpu-hog --cpu-quota "$quota" \
	--param duration_ms="$duration_ms" --reps "$launches" --warmup 0 --quiet \
	--out "$VALIDATE_TMP/run.json" 2>"$VALIDATE_TMP/cvbench.err" &
cvb=$!
watch_cgroups "$cvb" "$VALIDATE_TMP/stop" "$VALIDATE_TMP/readings.json" &
watcher=$!
validate_wait_background "$cvb" "$watcher"

python3 - "$VALIDATE_TMP" "$quota" "$(validate_rows_file)" <<'PY'
import bisect, json, statistics as st, sys
tmp, quota, rows = sys.argv[1], float(sys.argv[2]), sys.argv[3]
doc = json.load(open(f"{tmp}/run.json"))
w = json.load(open(f"{tmp}/readings.json"))
cell = doc["cells"][0]
if cell["status"] != "ok":
    sys.exit(f"{cell['label']}: {cell['status']}: {cell.get('reason', '')}")

def at(rs, t):
    """The counter at time t and its uncertainty in ns of CPU: linear between
    the readings around t, or, just past the last one (the cgroup is removed
    a few ms after the hog ends), the last one, off by at most the gap."""
    ts = [r[0] for r in rs]
    i = bisect.bisect_left(ts, t)
    if 0 < i < len(rs):
        (t0, u0), (t1, u1) = rs[i - 1], rs[i]
        return u0 + (u1 - u0) * (t - t0) / (t1 - t0), t1 - t0
    near = 0 if i == 0 else len(rs) - 1
    if abs(ts[near] - t) > 10e6:
        raise SystemExit(f"no reading of the counter within 10 ms of t={t} (readings"
                         f" {ts[0]}..{ts[-1]})")
    return rs[near][1], abs(ts[near] - t)

m = cell["metrics"]["cpu_hog_cpu_share"]
by_index = {l["index"]: l for l in cell["launches"] if not l["warmup"]}
agent, cgroup = [], []
for v, ix in zip(m["samples"], m["launch_index"]):
    l = by_index[ix]
    name = f"cvb-{doc['run_id']}-{l['instance']}"
    rs = w["readings"].get(name)
    if not rs:
        sys.exit(f"{name}: this script never saw its cgroup")
    a, b = l["facts"]["cpu_hog_started_ns"], l["facts"]["cpu_hog_ended_ns"]
    (ua, ga), (ub, gb) = at(rs, a), at(rs, b)
    share = (ub - ua) / (b - a)
    agent.append(v * 100)
    cgroup.append(share * 100)
    print(f"{name}: agent {v * 100:.2f}%, cgroup counter {share * 100:.2f}%"
          f" (+-{(ga + gb) / (b - a) * 100:.2f}) over the same {(b - a) / 1e9:.3f} s (readings"
          f" {ga / 1e6:.1f} / {gb / 1e6:.1f} ms apart at the ends; {len(rs)} in all)")
A, C = st.median(agent), st.median(cgroup)
ok_quota, ok_counter = abs(A - quota) <= 5, abs(A - C) <= 2
print(f"median: agent {A:.2f}%, cgroup {C:.2f}%, quota {quota:.0f}%")
print("what still differs: the agent's CPU clock and the cgroup's counter add up the same"
      " scheduler runtime (the agent is alone in its cgroup); the counter is interpolated"
      " between readings ~2 ms apart at each end of the window, worth at most a few tenths of"
      " a point. Against the quota: a 100 ms period cut by the window's ends gives or takes"
      " up to one 20 ms slice, 1 point over 2 s")
with open(rows, "a") as out:
    out.write(f"container CPU share under --cpu-quota {quota:.0f} (%)\t{A:.1f}\t{quota:.0f}"
              f" (the quota)\t{A - quota:+.1f} pt\t{'ok' if ok_quota else 'FAIL'}\n")
    out.write(f"container CPU share, agent vs its cgroup's counter (%)\t{A:.1f}\t{C:.1f}"
              f" ({w['counter'].split('/')[-1]}, same window)\t{A - C:+.2f} pt\t"
              f"{'ok' if ok_counter else 'FAIL'}\n")
PY
validate_finish
