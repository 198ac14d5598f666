#!/usr/bin/env bash
# What libvirt adds to a VM start: the same kernel and initramfs (the agent
# as /init, `ready`) booted through cvbench's libvirt backend and through a
# plain qemu-system-x86_64 command line with the same accelerator, machine,
# CPU, memory and devices, alternating round by round in one run. cvbench
# times launch -> READY for both (plain QEMU through `--backend native
# --launcher`, its agent channel on QEMU's stdio; the `sh` that execs QEMU
# adds about a millisecond to boots of seconds).
# Usage (root, after `make guest`): scripts/bench-vm-peers.sh [ROUNDS, default 3] [REPS, default 2]
set -uo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
reps=${2:-2}
[ "$(id -u)" -eq 0 ] || { echo "needs root (libvirt qemu:///system)" >&2; exit 1; }
[ -r build/guest/vmlinuz ] && [ -r build/guest/initramfs.img ] || make -s guest || exit 1
tmp=$(mktemp -d /tmp/cvb-vm-peers-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# The accelerator cvbench picks here (auto), so that plain QEMU gets the same.
build/cvbench run --backend vm --workload ready --reps 1 --warmup 0 --quiet --out "$tmp/probe.json" ||
	{ echo "cvbench's VM backend failed: $(jq -r '.cells[0].reason' "$tmp/probe.json" 2>/dev/null)" >&2; exit 1; }
accel=$(jq -r '.cells[0].backend_setup.accel' "$tmp/probe.json")
echo "accelerator: $accel ($(jq -r '.cells[0].backend_setup.accel_reason' "$tmp/probe.json"))"
cpu=$([ "$accel" = kvm ] && echo host || echo max)
cat >"$tmp/qemu.sh" <<SH
#!/bin/sh
# Plain QEMU, as close as possible to cvbench's domain: q35, $accel, 1 vCPU,
# 256 MiB, no disk, network, graphics, USB or balloon; kernel console on
# ttyS0 (a file), the agent on ttyS1 (stdio: the harness's pipes).
exec qemu-system-x86_64 -machine q35,accel=$accel -cpu $cpu -m 256 -smp 1 \\
	-nodefaults -no-user-config -display none \\
	-kernel $PWD/build/guest/vmlinuz -initrd $PWD/build/guest/initramfs.img \\
	-append "console=ttyS0 quiet loglevel=3 panic=-1 CVB_CHANNEL=/dev/ttyS1 -- ready" \\
	-serial file:$tmp/console.log -serial stdio
SH
for ((r = 1; r <= rounds; r++)); do
	build/cvbench run --backend vm --accel "$accel" --workload ready --reps "$reps" --warmup 0 \
		--quiet --out "$tmp/libvirt.r$r.json" || echo "libvirt round $r failed" >&2
	build/cvbench run --backend native --launcher "sh $tmp/qemu.sh" --timeout 120 --workload ready \
		--reps "$reps" --warmup 0 --quiet --out "$tmp/qemu.r$r.json" || echo "qemu round $r failed" >&2
done
python3 - "$tmp" <<'PY'
import json, sys, glob
tmp = sys.argv[1]
def pct(xs, p):
    xs = sorted(xs); h = (len(xs) - 1) * p; lo = int(h)
    return xs[lo] + (h - lo) * (xs[min(lo + 1, len(xs) - 1)] - xs[lo])
data = {n: [v for f in glob.glob(f"{tmp}/{n}.r*.json")
            for v in json.load(open(f))["cells"][0]["metrics"].get("startup_ns", {}).get("samples", [])]
        for n in ("libvirt", "qemu")}
if not data["libvirt"] or not data["qemu"]:
    sys.exit("no samples from one side: " + ", ".join(f"{k}={len(v)}" for k, v in data.items()))
q = pct(data["qemu"], .5)
print(f"{'start through':14} {'n':>3} {'p50':>9} {'p90':>9} {'p50 - qemu':>11} {'ratio':>6}")
for n, label in (("qemu", "plain QEMU"), ("libvirt", "cvbench/libvirt")):
    xs = data[n]
    print(f"{label:14} {len(xs):3d} {pct(xs,.5)/1e9:8.3f}s {pct(xs,.9)/1e9:8.3f}s "
          f"{(pct(xs,.5)-q)/1e6:9.0f}ms {pct(xs,.5)/q:6.2f}")
PY
