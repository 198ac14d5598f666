#!/usr/bin/env bash
# Checks what cvbench reports of an idle VM's host memory, QEMU's PSS split
# into guest RAM and QEMU's own, against QEMU's smaps read independently by
# this script while the guest holds.
#
# Like with like: cvbench reads QEMU's smaps_rollup (host_pss_bytes) and, in
# smaps, the one mapping of exactly the guest's RAM size (guest_ram_pss_bytes;
# the rest is host_pss_excl_guest_ram_bytes), once, at --settle-ms after
# READY. This script finds QEMU by libvirt's own files (/run/libvirt/qemu/
# <name>.pid, and the guest's RAM size from <name>.xml, libvirt's live
# definition), and every 250 ms reads QEMU's whole smaps: the total of its
# Pss lines, the Pss of the mappings of the guest's RAM size, and the rest;
# and its smaps_rollup. cvbench's reading time is placed on this script's
# clock from the launch's phases (ready + settle, counted back from
# domain_gone, which this script sees as QEMU's exit, polled every 50 ms),
# and the nearest reading is the reference (5%). The readings of the second
# around it show how fast the footprint was moving. One guest boots (two if
# no KVM verdict is cached for this boot: the probe guest).
# Usage: scripts/validate-vm-memory.sh     (BUILD=dir: build)
set -euo pipefail
# shellcheck source=scripts/validate-lib.sh
source "$(dirname "$0")/validate-lib.sh"
settle_ms=3000
validate_ensure_built
validate_tmp validate-vm-memory
backends=$("$CVBENCH" list 2>&1 || true)
grep -Eq '^  vm +available' <<<"$backends" ||
	validate_skip "VM memory" "$(grep -E '^  vm ' <<<"$backends" | sed 's/^  vm *//')"

# Runs in the background until the stop file appears; writes every QEMU's
# readings as JSON.
watch_qemu() { # CVBENCH_PID STOP_FILE OUT
	python3 - "$@" <<'PY'
import glob, json, os, re, sys, time
cvb_pid, stop, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
run = "/run/libvirt/qemu"
units = {"KiB": 1, "MiB": 1024, "GiB": 1 << 20}

def guest_ram_kb(name):
    m = re.search(r"<memory unit='(\w+)'>(\d+)</memory>", open(f"{run}/{name}.xml").read())
    return int(m.group(2)) * units[m.group(1)]

def read_smaps(pid, ram_kb):
    total = ram = n_ram = 0
    size = None
    for line in open(f"/proc/{pid}/smaps"):
        if line.startswith("Size:"):
            size = int(line.split()[1])
        elif line.startswith("Pss:"):
            pss = int(line.split()[1])
            total += pss
            if size == ram_kb:
                ram += pss
                n_ram += 1
    rollup = next(int(l.split()[1]) for l in open(f"/proc/{pid}/smaps_rollup")
                  if l.startswith("Pss:"))
    return {"t": time.monotonic_ns(), "rollup_kb": rollup, "total_kb": total, "ram_kb": ram,
            "ram_mappings": n_ram}

def alive(pid):
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False

# Every 50 ms: new QEMUs, and whether each is still there (its end places
# cvbench's reading on this clock); every 250 ms: QEMU's smaps. One last
# pass after the stop file: cvbench ends right after the guest.
qemu, tick, last = {}, 0, False
while not last:
    last = os.path.exists(stop)
    for f in glob.glob(f"{run}/cvb-*-%x-*.pid" % cvb_pid):
        name = os.path.basename(f)[:-4]
        if name in qemu:
            continue
        try:
            qemu[name] = {"pid": int(open(f).read()), "ram_size_kb": guest_ram_kb(name),
                          "readings": [], "gone_t": None}
        except (OSError, ValueError, AttributeError):
            pass  # not written yet
    for name, q in qemu.items():
        if q["gone_t"]:
            continue
        if not alive(q["pid"]):
            q["gone_t"] = time.monotonic_ns()
        elif tick % 5 == 0:
            try:
                q["readings"].append(read_smaps(q["pid"], q["ram_size_kb"]))
            except (OSError, StopIteration):
                pass  # ending: the next pass sees it gone
    tick += 1
    time.sleep(0.05)
json.dump(qemu, open(out, "w"))
PY
}

echo "VM memory: QEMU's PSS as cvbench reports it (total, guest RAM, QEMU's own) against" \
	"QEMU's smaps read by this script every 250 ms (one idle guest, settle ${settle_ms} ms)"
"$CVBENCH" run --backend vm --workload idle --reps 1 --warmup 0 --settle-ms "$settle_ms" \
	--quiet --out "$VALIDATE_TMP/run.json" \
	2>"$VALIDATE_TMP/cvbench.err" &
cvb=$!
watch_qemu "$cvb" "$VALIDATE_TMP/stop" "$VALIDATE_TMP/readings.json" &
watcher=$!
validate_wait_background "$cvb" "$watcher"

python3 - "$VALIDATE_TMP" "$settle_ms" "$(validate_rows_file)" <<'PY'
import json, sys
tmp, settle_ns, rows = sys.argv[1], int(sys.argv[2]) * 1000000, sys.argv[3]
doc = json.load(open(f"{tmp}/run.json"))
qemu = json.load(open(f"{tmp}/readings.json"))
cell = doc["cells"][0]
if cell["status"] != "ok":
    sys.exit(f"{cell['label']}: {cell['status']}: {cell.get('reason', '')}")
l = [x for x in cell["launches"] if x["status"] == "ok" and not x["warmup"]][0]
name = f"cvb-{doc['run_id']}-{l['instance']}"
q = qemu.get(name)
if not q or not q["readings"] or not q["gone_t"]:
    sys.exit(f"{name}: this script did not see QEMU from start to end")
metric = lambda k: cell["metrics"][k]["samples"][0] / 1048576
cvb_total, cvb_ram, cvb_own = (metric("host_pss_bytes"), metric("guest_ram_pss_bytes"),
                               metric("host_pss_excl_guest_ram_bytes"))
ph = l["phases_ns"]
t_measured = q["gone_t"] - ph["domain_gone"] + ph["ready"] + settle_ns
near = min(q["readings"], key=lambda r: abs(r["t"] - t_measured))
around = [r for r in q["readings"] if abs(r["t"] - t_measured) <= 1e9]
mib = lambda kb: kb / 1024
ref_total, ref_ram = mib(near["rollup_kb"]), mib(near["ram_kb"])
ref_own = mib(near["total_kb"] - near["ram_kb"])
ram_size = mib(q["ram_size_kb"])
print(f"{name}: QEMU pid {q['pid']}, guest RAM {ram_size:.0f} MiB (libvirt), {len(q['readings'])}"
      f" readings; cvbench measured {(ph['ready'] + settle_ns) / 1e9:.2f} s after its launch"
      f" call, the nearest reading is {(near['t'] - t_measured) / 1e6:+.0f} ms from it")
print(f"  mappings of the guest RAM's size: {near['ram_mappings']}; smaps Pss lines add up to"
      f" {mib(near['total_kb']):.1f} MiB, smaps_rollup says {ref_total:.1f} MiB")
span = lambda k: f"{mib(min(r[k] for r in around)):.1f}..{mib(max(r[k] for r in around)):.1f}"
print(f"  readings within 1 s of it ({len(around)}): total {span('rollup_kb')} MiB,"
      f" guest RAM {span('ram_kb')} MiB")
checks = [
    ("VM: QEMU PSS (MiB)", cvb_total, ref_total, "smaps_rollup"),
    ("VM: guest RAM part of QEMU PSS (MiB)", cvb_ram, ref_ram,
     f"smaps, the {ram_size:.0f} MiB mapping"),
    ("VM: QEMU's own PSS, excl. guest RAM (MiB)", cvb_own, ref_own, "smaps, the other mappings"),
]
out = open(rows, "a")
for what, c, r, how in checks:
    diff = (c / r - 1) * 100
    ok = abs(diff) <= 5
    print(f"  {what}: cvbench {c:.1f}, script {r:.1f} ({how}), {diff:+.1f}%:"
          f" {'ok' if ok else 'FAIL'}")
    out.write(f"{what}\t{c:.1f}\t{r:.1f} ({how})\t{diff:+.1f}%\t{'ok' if ok else 'FAIL'}\n")
# QEMU's PSS can hold at most the whole guest RAM plus QEMU's own: how much
# of the guest's RAM the idle guest has touched is the rest.
bound = ram_size + ref_own
ok = near["ram_mappings"] == 1 and cvb_ram <= ram_size and cvb_total <= bound * 1.01
print(f"  QEMU PSS {cvb_total:.1f} MiB against guest RAM size + QEMU's own = {bound:.1f} MiB:"
      f" the guest has {cvb_ram / ram_size * 100:.0f}% of its RAM resident")
out.write(f"VM: QEMU PSS vs guest RAM size + QEMU's own (MiB)\t{cvb_total:.1f}\t{bound:.1f}"
          f" ({ram_size:.0f} + {ref_own:.1f})\t{cvb_total - bound:+.1f} MiB: {cvb_ram / ram_size * 100:.0f}%"
          f" of guest RAM resident\t{'ok' if ok else 'FAIL'}\n")
print("what still differs: both read the same kernel accounting; cvbench once, the script"
      " every 250 ms, so the nearest reading is up to ~125 ms (plus the uncertainty of placing"
      " cvbench's reading, ~50 ms and libvirt's delay in seeing the guest gone) away from"
      " cvbench's; an idle guest touches little in that time, QEMU's TCG translation cache a"
      " little")
PY
validate_finish
