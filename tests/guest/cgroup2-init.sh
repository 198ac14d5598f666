#!/bin/bash
# /init of the pure cgroup v2 guest (scripts/test-cgroup2-guest.sh builds the
# initramfs around it). Its argv (the words after "--" on the kernel command
# line) names the integration tests to run, e.g. "container escape_devices".
#
# Stage 1 copies the initramfs into a tmpfs and switch_roots into it:
# pivot_root, which the container backend uses, refuses a root on the
# initial rootfs. Stage 2 mounts proc, sysfs, devtmpfs, tmpfs and cgroup2
# ALONE at /sys/fs/cgroup (the kernel runs with cgroup_no_v1=all), enables
# every controller in the root, runs the tests from /cvb (the repository's
# layout) and prints, on the console:
#   CVB-GUEST-COUNTS <test> <passed> <failed> <skipped> <exit status>
#   CVB-GUEST-RESULT status=<0 if every test ran and passed>
# then powers off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8

poweroff_now() {
	sync
	echo o >/proc/sysrq-trigger
	sleep 30
	exit 1 # init exiting panics the kernel; panic=-1 and -no-reboot end QEMU
}

if [ "${CVB_GUEST_STAGE:-1}" = 1 ]; then
	mount -t proc proc /proc
	mkdir -p /newroot
	mount -t tmpfs -o mode=0755 root /newroot
	for d in /*; do
		case $d in /newroot | /proc | /sys | /dev) ;; *) cp -a "$d" /newroot/ ;; esac
	done
	mkdir -p /newroot/proc /newroot/sys /newroot/dev
	umount /proc
	export CVB_GUEST_STAGE=2
	exec switch_root /newroot /init "$@"
	echo "cgroup2-init: switch_root failed"
	poweroff_now
fi

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
# What udev or systemd would add: bash's process substitution needs /dev/fd.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /var/lib
mount -t tmpfs -o mode=0755 tmpfs /var/lib
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup || { echo "cgroup2-init: cannot mount cgroup2"; poweroff_now; }
# CVB_GUEST_CGROUP (from the kernel command line): "enabled" (default)
# enables every controller in the root, as systemd does; "bare" enables none
# and runs the tests in a leaf cgroup of their own (a service's place), so
# cvbench must enable what it needs itself.
case ${CVB_GUEST_CGROUP:-enabled} in
enabled)
	for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
		echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control ||
			echo "cgroup2-init: cannot enable controller $c"
	done ;;
bare)
	mkdir -p /sys/fs/cgroup/tests.slice/tests.service # no "cvb": the tests look for those
	echo $$ >/sys/fs/cgroup/tests.slice/tests.service/cgroup.procs ;;
*) echo "cgroup2-init: unknown CVB_GUEST_CGROUP '$CVB_GUEST_CGROUP'"; poweroff_now ;;
esac
hostname cvb-guest
# A RAM disk, so that the device escape test has a host block device to try
# (there is no insmod here: python's finit_module).
if [ -e /lib/modules/brd.ko ]; then
	python3 -c 'import ctypes, os, sys
fd = os.open("/lib/modules/brd.ko", os.O_RDONLY)
libc = ctypes.CDLL(None, use_errno=True)
if libc.syscall(313, fd, b"rd_nr=1 rd_size=1024", 0) != 0:
    sys.exit("finit_module brd: " + os.strerror(ctypes.get_errno()))' &&
		echo "cgroup2-init: block device: /dev/ram0 (brd)"
fi
ip link set lo up 2>/dev/null

echo "cgroup2-init: kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { print $2 " kB" }' /proc/meminfo)"
echo "cgroup2-init: mounts: $(awk '$2 ~ /^\/sys\/fs\/cgroup/ { printf "%s %s; ", $2, $3 }' /proc/mounts)"
echo "cgroup2-init: root controllers enabled: '$(cat /sys/fs/cgroup/cgroup.subtree_control)'; tests in $(cat /proc/self/cgroup)"

cd /cvb || poweroff_now
echo "cgroup2-init: cvbench sees cgroup $(build/cvbench env --json | jq -c .cgroup)"
status=0
[ $# -gt 0 ] || { echo "cgroup2-init: no tests named"; status=1; }
for t in "$@"; do
	echo "== guest: tests/integration/test_$t.sh"
	start=$(cut -d' ' -f1 /proc/uptime)
	bash "tests/integration/test_$t.sh" 2>&1 | tee /tmp/out
	rc=${PIPESTATUS[0]}
	end=$(cut -d' ' -f1 /proc/uptime)
	counts=$(sed -n 's/^COUNTS \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' /tmp/out | tail -n1)
	[ -n "$counts" ] || { counts="0 1 0"; [ "$rc" -ne 0 ] || rc=1; } # no COUNTS: it broke
	echo "CVB-GUEST-COUNTS $t $counts $rc $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }')"
	[ "$rc" -eq 0 ] || status=1
done
echo "CVB-GUEST-RESULT status=$status"
poweroff_now
