#!/usr/bin/env bash
# Boots the guest of `make guest` with a plain qemu-system-x86_64 command line
# (no libvirt) and checks that its /init, the static cvb-agent, speaks the
# agent protocol on a serial port of its own. Prints, per boot, the host-clock
# time from QEMU start to READY, to DONE and to QEMU's exit (the guest powers
# itself off), the guest's own uptime at READY, then medians.
#
# usage: scripts/boot-guest-qemu.sh [--accel tcg|kvm] [--workload 'NAME [K=V ...]']
#                                   [--count N] [--timeout S] [--cpu MODEL] [--guest DIR]
#   --accel     tcg (default) or kvm; on this host's kvm_pvm, QEMU aborts at
#               once with -cpu host (MSR 0x10a) and the guest hangs with other
#               models: either way the boot ends (bounded) with a message
#   --workload  the agent's arguments (default: ready)
#   --count     boots (default 5)
#   --timeout   seconds per boot (default 60 with tcg, 20 with kvm)
#   --cpu       CPU model (default: max with tcg, host with kvm)
#   --guest     directory holding vmlinuz and initramfs.img (default build/guest)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
accel=tcg
workload=ready
count=5
timeout=""
cpu=""
guest=$root/build/guest
QEMU=qemu-system-x86_64
# Debian's python3, not whatever a PATH shim points at: stdlib only.
PYTHON=/usr/bin/python3

die() { echo "boot-guest-qemu: error: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--accel) accel=${2:?--accel needs tcg or kvm}; shift 2 ;;
	--workload) workload=${2:?--workload needs a name}; shift 2 ;;
	--count) count=${2:?--count needs a number}; shift 2 ;;
	--timeout) timeout=${2:?--timeout needs seconds}; shift 2 ;;
	--cpu) cpu=${2:?--cpu needs a model}; shift 2 ;;
	--guest) guest=${2:?--guest needs a directory}; shift 2 ;;
	-h | --help) sed -n '2,18s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) die "unknown argument '$1' (try --help)" ;;
	esac
done
case $accel in tcg | kvm) ;; *) die "--accel must be tcg or kvm, not '$accel'" ;; esac
[[ $count =~ ^[1-9][0-9]*$ ]] || die "--count must be a positive integer"
[ -n "$timeout" ] || { [ "$accel" = kvm ] && timeout=20 || timeout=60; }
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive number of seconds"
[ -n "$cpu" ] || { [ "$accel" = kvm ] && cpu=host || cpu=max; }
# Kernel parameters: words after "--" become init's argv; a NAME=VALUE the
# kernel does not know (and without a dot in NAME) becomes init's environment.
for w in $workload; do
	[[ $w =~ ^[A-Za-z0-9_=.-]+$ ]] || die "--workload word '$w' cannot travel on a kernel command line"
done

kernel=$guest/vmlinuz
initrd=$guest/initramfs.img
for f in "$kernel" "$initrd"; do
	[ -r "$f" ] || die "cannot read $f (run 'make guest')"
done
command -v "$QEMU" >/dev/null || die "$QEMU not found (scripts/setup.sh installs qemu-system-x86)"
[ -x "$PYTHON" ] || die "$PYTHON not found (apt-get install python3)"
if [ "$accel" = kvm ]; then
	[ -e /dev/kvm ] || die "no /dev/kvm on this host: use --accel tcg"
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		die "/dev/kvm is not accessible to $(id -un): use --accel tcg"
	fi
	if [ -d /sys/module/kvm_pvm ]; then
		echo "boot-guest-qemu: note: /dev/kvm is kvm_pvm (paravirtual KVM); stock guests do not boot on it; this ends within ${timeout} s"
	fi
fi

work=$(mktemp -d /tmp/cvb-bootq-XXXXXX)
runner=""
# Leave nothing behind: the runner kills QEMU when it is told to stop, and
# QEMU also dies with the runner (PR_SET_PDEATHSIG) if the runner is killed.
cleanup() {
	if [ -n "$runner" ] && kill -0 "$runner" 2>/dev/null; then
		kill -TERM "$runner" 2>/dev/null || true
		wait "$runner" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "boot-guest-qemu: interrupted" >&2; exit 130' INT TERM HUP

# One boot, timed on the host's CLOCK_MONOTONIC from just before QEMU is
# spawned. The agent channel's socket listens before QEMU starts, so QEMU's
# connect cannot miss an early byte. Prints one line:
#   ok READY_s DONE_s EXIT_s UPTIME_s DONE_STATUS   or   fail STAGE: REASON
cat >"$work/boot.py" <<'EOF'
import ctypes, json, os, select, signal, socket, subprocess, sys, time

sock_path, agent_log, timeout_s = sys.argv[1:4]
qemu = sys.argv[4:]
timeout_ns = int(float(timeout_s) * 1e9)

def stop(signum, frame):
    raise SystemExit(128 + signum)

signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGHUP, stop)
libc = ctypes.CDLL(None, use_errno=True)

def die_with_runner():
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG

def fail(msg):
    print("fail " + msg, flush=True)
    sys.exit(1)

listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(sock_path)
listener.listen(1)
q = None
try:
    t0 = time.monotonic_ns()
    q = subprocess.Popen(qemu, stdin=subprocess.DEVNULL, preexec_fn=die_with_runner)
    exited = os.pidfd_open(q.pid)  # readable when QEMU exits: an exact exit time
    deadline = t0 + timeout_ns
    conn, buf, t_ready, t_done, t_exit, uptime, status = None, b"", None, None, None, None, None
    log = open(agent_log, "w")
    while t_exit is None:
        left = deadline - time.monotonic_ns()
        if left <= 0:
            stage = ("QEMU never connected to the agent socket" if conn is None else
                     "no READY" if t_ready is None else
                     "no DONE after READY" if t_done is None else "no power-off after DONE")
            fail("timeout after %s s: %s" % (timeout_s, stage))
        waits = [exited] + ([listener] if conn is None else [conn] if conn else [])
        ready, _, _ = select.select(waits, [], [], left / 1e9)
        now = time.monotonic_ns()
        if conn is None and listener in ready:
            conn, _ = listener.accept()
            continue
        if conn is not None and conn in ready:
            data = conn.recv(65536)
            if data:
                buf += data
                # A line counts when its newline arrives.
                while b"\n" in buf:
                    raw, buf = buf.split(b"\n", 1)
                    line = raw.decode(errors="replace").rstrip("\r")
                    log.write("%.6f %s\n" % ((now - t0) / 1e9, line))
                    log.flush()
                    if line.startswith("READY ") and t_ready is None:
                        t_ready = now
                    elif line.startswith("DONE ") and t_done is None:
                        t_done, status = now, line.split()[1]
                    elif line.startswith("{"):
                        try:
                            o = json.loads(line)
                        except ValueError:
                            continue
                        if o.get("fact") == "guest_uptime_at_ready_s":
                            uptime = o["value"]
                continue
            conn.close()
            conn = False  # EOF: QEMU is going away; wait for its exit
        if exited in ready:
            t_exit = now
    q.wait()
    if t_ready is None:
        fail("QEMU exited (status %d) without READY on the agent channel" % q.returncode)
    if t_done is None:
        fail("QEMU exited (status %d) after READY but without DONE" % q.returncode)
    print("ok %.4f %.4f %.4f %s %s" % ((t_ready - t0) / 1e9, (t_done - t0) / 1e9,
          (t_exit - t0) / 1e9, "%.2f" % uptime if uptime is not None else "-", status), flush=True)
finally:
    if q is not None and q.poll() is None:
        q.kill()
        q.wait()
    listener.close()
    os.unlink(sock_path)
EOF

echo "boot-guest-qemu: $QEMU $accel, cpu $cpu, kernel $(cat "$guest/kernel-version.txt" 2>/dev/null || echo "$kernel"), initramfs $(stat -c %s "$initrd") bytes, workload '$workload', $count boot(s), timeout ${timeout} s"

ready_s=() done_s=() exit_s=() uptime_s=()
failed=0
for i in $(seq 1 "$count"); do
	sock=$work/agent-$i.sock
	rm -f "$sock" # a killed runner may have left it
	console=$work/console-$i.log
	cmd=(
		"$QEMU" -machine "q35,accel=$accel" -cpu "$cpu" -m 256 -smp 1
		-nodefaults -no-user-config -display none
		-kernel "$kernel" -initrd "$initrd"
		-append "console=ttyS0 quiet panic=-1 CVB_CHANNEL=/dev/ttyS1 -- $workload"
		# ttyS0: the kernel's console, to a file; ttyS1: the agent's channel.
		-chardev "file,id=con,path=$console" -serial chardev:con
		-chardev "socket,id=ag,path=$sock,server=off" -serial chardev:ag
		# Power-off, reboot and panic all end QEMU.
		-no-reboot
	)
	"$PYTHON" "$work/boot.py" "$sock" "$work/agent-$i.log" "$timeout" "${cmd[@]}" \
		>"$work/result" 2>"$work/qemu-$i.err" &
	runner=$!
	rc=0
	wait "$runner" || rc=$?
	runner=""
	read -r verdict rest <"$work/result" || verdict=fail rest="no result (status $rc)"
	if [ "$verdict" != ok ]; then
		failed=$((failed + 1))
		echo "boot $i: FAILED: $rest"
		if [ -s "$work/qemu-$i.err" ]; then
			echo "  stderr (QEMU, runner):"; sed 's/^/    /' "$work/qemu-$i.err" | tail -n 10
		fi
		echo "  agent channel (ttyS1):"; sed 's/^/    /' "$work/agent-$i.log" 2>/dev/null | tail -n 10 || true
		echo "  kernel console (ttyS0), last lines:"; tail -c 2000 "$console" 2>/dev/null | tr -d '\r' | tail -n 15 | sed 's/^/    /' || true
		if [ "$accel" = kvm ]; then
			case $rest in
			timeout*) echo "boot-guest-qemu: KVM did not bring this guest to READY within ${timeout} s (on kvm_pvm stock kernels hang right after decompression); use --accel tcg" ;;
			*) echo "boot-guest-qemu: QEMU could not run this guest under KVM (see its stderr above); use --accel tcg" ;;
			esac
			exit 1
		fi
		continue
	fi
	read -r r d x u status <<<"$rest"
	echo "boot $i: READY ${r} s, DONE ${d} s (status $status), QEMU exit ${x} s after QEMU start; guest_uptime_at_ready_s ${u}"
	# DONE 0 means init got the workload from its argv (after "--"); lines
	# on ttyS1 mean it got CVB_CHANNEL from its environment; none may leak
	# onto the console.
	[ "$status" = 0 ] || { echo "  argv check FAILED: DONE $status (the agent did not run '$workload')"; failed=$((failed + 1)); }
	if grep -qE '^(READY|DONE) ' "$console"; then
		echo "  channel check FAILED: protocol lines on the kernel console"
		failed=$((failed + 1))
	fi
	ready_s+=("$r") done_s+=("$d") exit_s+=("$x")
	[ "$u" = - ] || uptime_s+=("$u")
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
n=${#ready_s[@]}
if [ "$n" -gt 0 ]; then
	echo "median of $n boot(s) ($accel): QEMU start -> READY $(median "${ready_s[@]}") s, -> DONE $(median "${done_s[@]}") s, -> QEMU exit $(median "${exit_s[@]}") s; guest_uptime_at_ready_s $([ ${#uptime_s[@]} -gt 0 ] && median "${uptime_s[@]}" || echo -)"
	[ "$failed" -gt 0 ] || echo "verified: the workload after '--' reached init as argv (DONE 0), CVB_CHANNEL=/dev/ttyS1 reached it as environment (protocol on ttyS1, none on the console)"
fi
[ "$failed" -eq 0 ] || { echo "boot-guest-qemu: $failed check(s) failed"; exit 1; }
