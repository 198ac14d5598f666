#!/usr/bin/env bash
# Runs the container integration tests on a real pure cgroup v2 kernel: boots
# the guest kernel of `make guest` under QEMU (TCG) with cgroup_no_v1=all and
# an initramfs holding cvbench, its shared libraries, the static agent, the
# tests, the tools they call and python3 with jsonschema (for `validate`).
# The guest's /init (tests/guest/cgroup2-init.sh) mounts cgroup2 alone at
# /sys/fs/cgroup, runs the tests and reports on the serial console.
#
# usage: scripts/test-cgroup2-guest.sh [--tests 'NAME ...'] [--timeout S]
#                                      [--mem MIB] [--smp N] [--build DIR]
#   --tests    integration tests to run, by name without test_ and .sh
#              (default: container escape_devices escape_seccomp escape_ids
#              escape_fs orphans groups)
#   --timeout  seconds for the whole guest run (default 900)
#   --mem      guest RAM in MiB (default 1536)
#   --smp      guest CPUs (default 2: --pin 1 needs a second one)
#   --build    the build directory (default build)
#   --cgroup   enabled (default: every controller enabled in the root, as
#              systemd does) or bare (none enabled, the tests in a leaf
#              cgroup: cvbench must enable what it needs)
# Prints the guest's output as it comes, then one line per test and
#   cgroup2-guest: COUNTS P passed, F failed, S skipped (wall W s)
# Exits 0 when every test ran and passed, 1 when one failed or the guest did
# not finish, 77 (after "SKIP: <reason>") when no guest kernel or QEMU.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tests="container escape_devices escape_seccomp escape_ids escape_fs orphans groups"
timeout=900
mem=1536
smp=2
build=build
cgroup=enabled
QEMU=qemu-system-x86_64
# Debian's python3 and its python3-jsonschema, not a PATH shim's.
PYTHON=/usr/bin/python3

die() { echo "cgroup2-guest: error: $*" >&2; exit 2; }
skip() { echo "cgroup2-guest: SKIP: $*"; exit 77; }
note() { echo "cgroup2-guest: $*"; }

while [ $# -gt 0 ]; do
	case $1 in
	--tests) tests=${2:?--tests needs names}; shift 2 ;;
	--timeout) timeout=${2:?--timeout needs seconds}; shift 2 ;;
	--mem) mem=${2:?--mem needs MiB}; shift 2 ;;
	--smp) smp=${2:?--smp needs a number}; shift 2 ;;
	--build) build=${2:?--build needs a directory}; shift 2 ;;
	--cgroup) cgroup=${2:?--cgroup needs enabled or bare}; shift 2 ;;
	-h | --help) sed -n '2,25s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) die "unknown argument '$1' (try --help)" ;;
	esac
done
case $cgroup in enabled | bare) ;; *) die "--cgroup must be enabled or bare, not '$cgroup'" ;; esac
for n in "$timeout" "$mem" "$smp"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || die "'$n' is not a positive integer"
done
cd "$root"
for t in $tests; do
	[[ $t =~ ^[a-z0-9_]+$ ]] && [ -f "tests/integration/test_$t.sh" ] ||
		die "no test tests/integration/test_$t.sh (--tests takes names like 'container')"
done

kernel=$build/guest/vmlinuz
[ -r "$kernel" ] || skip "no guest kernel at $kernel (run 'make guest')"
command -v "$QEMU" >/dev/null || skip "$QEMU not found (scripts/setup.sh installs qemu-system-x86)"
command -v cpio >/dev/null || skip "cpio not found (scripts/setup.sh installs it)"
for f in "$build/cvbench" "$build/cvb-agent"; do
	[ -x "$f" ] || die "no $f (run 'make')"
done

work=$(mktemp -d /tmp/cvb-cg2guest-XXXXXX)
qpid=""
cleanup() {
	# timeout(1) passes TERM on to QEMU (and KILLs it 5 s later).
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill -TERM "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "cgroup2-guest: interrupted" >&2; exit 130' INT TERM HUP
stage=$work/root
mkdir -p "$stage"/usr/bin "$stage"/usr/sbin "$stage"/usr/lib64 "$stage"/etc "$stage"/root "$stage"/cvb \
	"$stage"/proc "$stage"/sys "$stage"/dev "$stage"/tmp "$stage"/run "$stage"/var/lib
for d in bin sbin lib lib64; do ln -s "usr/$d" "$stage/$d"; done
mkdir -p "$stage"/usr/lib/x86_64-linux-gnu

# add FILE...: copies each file (symlinks resolved) to the same path under
# the stage; for ELF files also the shared libraries ldd names.
declare -A added=()
add() {
	local f real lib
	for f; do
		[ -z "${added[$f]:-}" ] || continue
		added[$f]=1
		real=$(readlink -f "$f")
		mkdir -p "$stage$(dirname "$f")"
		cp -L "$real" "$stage$f"
		if [ "$(head -c 4 "$real" | od -An -c | tr -d ' ')" = '177ELF' ]; then
			for lib in $(ldd "$real" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
				add "$lib"
			done
		fi
	done
}
# The commands the init and the tests call, by their /usr path.
cmds="bash sh cat cp ls mkdir rm rmdir mv ln chmod stat touch head tail tr cut sed grep awk mawk
	find xargs sort uniq wc seq sleep date id uname env tee od printf test nproc timeout mktemp
	dirname basename readlink realpath true false kill ps pgrep pkill jq keyctl setpriv mount
	umount switch_root hostname ip dd sync"
for c in $cmds; do
	# type -P: the file even for a builtin (sh -c /bin/true needs it)
	p=$(PATH=/usr/bin:/usr/sbin type -P "$c" 2>/dev/null) || die "the guest needs '$c', which this host lacks (scripts/setup.sh)"
	add "/usr/${p#/usr/}"
done
# python3 with exactly the modules `python3 -m jsonschema` imports: the
# packages whole (jsonschema reads its metaschemas from its own directory).
if [ -x "$PYTHON" ] && "$PYTHON" -c 'import jsonschema' 2>/dev/null; then
	add "$PYTHON"
	"$PYTHON" - "$root/results/cvbench-results.schema.json" >"$work/pyfiles" <<'EOF'
import contextlib, io, runpy, sys
schema = sys.argv[1]
sys.argv = ["jsonschema", "-i", schema, schema]
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        runpy.run_module("jsonschema", run_name="__main__", alter_sys=True)
    except SystemExit:
        pass
import ctypes, encodings  # ctypes: the init loads brd with finit_module
for m in list(sys.modules.values()):
    f = getattr(m, "__file__", None)
    if not f:
        continue
    path = getattr(m, "__path__", None)
    print(list(path)[0] if path else f)
EOF
	sort -u "$work/pyfiles" | while read -r p; do
		case $p in /usr/*) ;; *) continue ;; esac
		mkdir -p "$stage$(dirname "$p")"
		if [ -d "$p" ]; then
			cp -a "$p" "$stage$(dirname "$p")/"
		else
			cp -a "$p" "$stage$p"
			for so in $(ldd "$p" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'); do
				[ -e "$stage$so" ] || { mkdir -p "$stage$(dirname "$so")"; cp -L "$so" "$stage$so"; }
			done
		fi
	done
	# importlib.metadata looks up each package's version in its dist-info.
	for d in "$stage"/usr/lib/python3/dist-packages/*/; do
		n=$(basename "$d")
		cp -a /usr/lib/python3/dist-packages/"$n"-*.[de][ig][sg]*-info "$stage/usr/lib/python3/dist-packages/" 2>/dev/null || true
	done
	# The interpreter finds its prefix by this landmark.
	cp -a /usr/lib/python3.11/os.py "$stage/usr/lib/python3.11/" 2>/dev/null || true
	find "$stage/usr/lib/python3"* -type d -name tests -prune -exec rm -rf {} + 2>/dev/null || true
else
	note "no $PYTHON with jsonschema: the guest's schema checks will fail (apt-get install python3-jsonschema)"
fi
# brd, a RAM disk: a block device in the guest for the device escape test
# to try (the kernel has no built-in one); the init loads it.
brd=$(find "$build/guest/cache" -path "*/lib/modules/$(sed -n 's/^linux-image-\([^ ]*\) .*/\1/p' "$build/guest/kernel-version.txt" 2>/dev/null)/kernel/drivers/block/brd.ko" 2>/dev/null | head -n1)
if [ -n "$brd" ]; then
	mkdir -p "$stage/lib/modules" && cp "$brd" "$stage/lib/modules/brd.ko"
else
	note "no brd.ko for this kernel in $build/guest/cache: the guest has no block device to try"
fi
# cvbench, the agent, the tests and the data files they read, in the
# repository's layout under /cvb.
add "$root/$build/cvbench"
mkdir -p "$stage/cvb/build" "$stage/cvb/tests" "$stage/cvb/results"
cp -L "$build/cvbench" "$build/cvb-agent" "$stage/cvb/build/"
cp -a tests/integration tests/fake-agents "$stage/cvb/tests/"
cp -a results/*.json "$stage/cvb/results/"
cp -a matrices "$stage/cvb/"
printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$stage/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"
[ ! -r /etc/os-release ] || cp -L /etc/os-release "$stage/etc/os-release"
install -m 0755 tests/guest/cgroup2-init.sh "$stage/init"
initrd=$work/initramfs.img
(cd "$stage" && find . -print0 | cpio --null -o -H newc --quiet) >"$initrd"
note "initramfs: $(du -sm "$initrd" | cut -f1) MiB, $(find "$stage" -type f | wc -l) files; tests: $tests"

log=$work/console.log
: >"$log"
t0=$(date +%s.%N)
# The kernel's console and /init's output on ttyS0, to a file. Power-off,
# reboot and panic all end QEMU (-no-reboot, panic=-1).
timeout -k 5 "$timeout" "$QEMU" -machine q35,accel=tcg -cpu max -m "$mem" -smp "$smp" \
	-nodefaults -no-user-config -display none -no-reboot \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 quiet panic=-1 cgroup_no_v1=all CVB_GUEST_CGROUP=$cgroup -- $tests" \
	-chardev "file,id=con,path=$log" -serial chardev:con </dev/null >"$work/qemu.err" 2>&1 &
qpid=$!
# The output as it comes; in the background, so that a signal (wait returns)
# reaches the traps at once. tail ends with QEMU.
tail -n +1 -f --pid="$qpid" "$log" | sed -u -e 's/\r$//' -e '/^CVB-GUEST-/d' &
rc=0
wait "$qpid" || rc=$?
qpid=""
wait
wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
[ "$rc" -ne 124 ] || note "the guest did not finish within ${timeout} s (--timeout)"
[ ! -s "$work/qemu.err" ] || { note "QEMU said:"; sed 's/^/  /' "$work/qemu.err"; }

tr -d '\r' <"$log" >"$work/console.txt"
p=0 f=0 s=0 ok=1
for t in $tests; do
	line=$(grep -a "^CVB-GUEST-COUNTS $t " "$work/console.txt" | tail -n1 || true)
	if [ -z "$line" ]; then
		note "test_$t.sh: did not report (the guest stopped before it)"
		ok=0
		continue
	fi
	read -r _ _ tp tf ts trc tsec <<<"$line"
	note "test_$t.sh: $tp passed, $tf failed, $ts skipped (exit $trc, ${tsec} s in the guest)"
	p=$((p + tp)) f=$((f + tf)) s=$((s + ts))
	[ "$trc" -eq 0 ] || ok=0
done
grep -aqx 'CVB-GUEST-RESULT status=0' "$work/console.txt" || ok=0
echo "cgroup2-guest: COUNTS $p passed, $f failed, $s skipped (wall ${wall} s)"
[ "$ok" -eq 1 ] || { note "FAILED"; exit 1; }
note "passed on a pure cgroup v2 kernel ($(cat "$build/guest/kernel-version.txt" 2>/dev/null || echo guest))"
