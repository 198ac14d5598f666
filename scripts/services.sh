#!/usr/bin/env bash
# Starts libvirtd and virtlogd when they are not running (these machines have
# no systemd), after doing for /dev/kvm what udev would have done (there is
# no udev either). Idempotent; prints what it did.
#
# Why /dev/kvm matters: a fresh boot leaves it root:root 0600. libvirt 9.0
# then probes QEMU as root (KVM works), finds /dev/kvm closed to its QEMU
# user, declares its capability cache invalid and probes again, forever:
# every virDomainCreateXML waits ~52 s. Debian's udev rule (group kvm, mode
# 0660; the libvirt-qemu user is in group kvm) ends it.
set -euo pipefail

QEMU_CONF=${CVB_QEMU_CONF:-/etc/libvirt/qemu.conf}
KVM=${CVB_KVM_DEVICE:-/dev/kvm}

start() { # NAME
	if pgrep -x "$1" >/dev/null; then
		echo "services: $1 already running"
	elif command -v "$1" >/dev/null || [ -x "/usr/sbin/$1" ]; then
		"/usr/sbin/$1" -d
		echo "services: started $1"
	else
		echo "services: $1 is not installed (run scripts/setup.sh)" >&2
		return 1
	fi
}

# The user QEMU runs as under qemu:///system: qemu.conf's `user`, else
# Debian's compiled-in default. "+N" names a uid.
qemu_user() {
	local u=""
	[ -r "$QEMU_CONF" ] && u=$(sed -n 's/^[[:space:]]*user[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$QEMU_CONF" | tail -n1)
	u=${u:-libvirt-qemu}
	echo "${u#+}"
}

# True if USER may open FILE read-write by its mode bits: as owner, through
# one of its groups, or as anyone (root's DAC override aside).
user_can_rw() { # USER FILE
	local uid gids owner group mode g
	uid=$(id -u "$1") || return 1
	gids=$(id -G "$1") || return 1
	read -r owner group mode < <(stat -L -c '%u %g %a' "$2")
	mode=$((8#$mode))
	[ "$uid" -eq 0 ] && return 0
	if [ "$owner" -eq "$uid" ]; then
		[ $((mode & 8#600)) -eq $((8#600)) ]
		return
	fi
	for g in $gids; do
		if [ "$g" -eq "$group" ]; then
			[ $((mode & 8#060)) -eq $((8#060)) ]
			return
		fi
	done
	[ $((mode & 8#006)) -eq $((8#006)) ]
}

udev_running() { pgrep -x systemd-udevd >/dev/null || pgrep -x udevd >/dev/null; }

describe_node() { stat -L -c '%U:%G %a' "$1" | sed 's/ \([0-7]\{3\}\)$/ 0\1/'; }

# Debian's udev rule for /dev/kvm (50-udev-default.rules as Debian builds it:
# KERNEL=="kvm", GROUP="kvm", MODE="0660"), applied when no udev does.
# Prints what it changed; returns 0 if it changed
# the node or the qemu user's groups, 1 if there was nothing to do.
fix_kvm() {
	local user before changed=1
	[ -c "$KVM" ] || return 1
	user=$(qemu_user)
	if ! id "$user" >/dev/null 2>&1; then
		echo "services: QEMU's user '$user' does not exist; leaving $KVM alone" >&2
		return 1
	fi
	if user_can_rw "$user" "$KVM"; then
		echo "services: $KVM $(describe_node "$KVM"): $user can open it"
		return 1
	fi
	if udev_running; then
		echo "services: $KVM ($(describe_node "$KVM")) is closed to $user, but udev runs here: check its rules" >&2
		return 1
	fi
	if ! getent group kvm >/dev/null; then
		groupadd --system kvm
		echo "services: created the system group kvm"
	fi
	if ! id -nG "$user" | tr ' ' '\n' | grep -qx kvm; then
		usermod -a -G kvm "$user"
		echo "services: added $user to group kvm (Debian's packaging does this)"
		changed=0
	fi
	if ! user_can_rw "$user" "$KVM"; then
		before=$(describe_node "$KVM")
		# Exactly Debian's rule, never more: group kvm, 0660 (no access for others).
		chgrp kvm "$KVM"
		chmod 0660 "$KVM"
		echo "services: $KVM $before -> $(describe_node "$KVM") (Debian's udev rule; no udev here)"
		changed=0
	fi
	return $changed
}

# Waits for libvirtd's socket so that the first client does not race it.
wait_socket() {
	for _ in $(seq 50); do
		[ -S /var/run/libvirt/libvirt-sock ] && return 0
		sleep 0.1
	done
	echo "services: libvirtd did not create /var/run/libvirt/libvirt-sock" >&2
	exit 1
}

# ms one `virsh domcapabilities` takes: libvirt checks its capability cache
# on each, and re-probes QEMU (seconds) while the cache is judged invalid.
caps_query_ms() {
	local t0
	t0=$(date +%s%N)
	virsh -q -c qemu:///system domcapabilities >/dev/null 2>&1 || return 1
	echo $((($(date +%s%N) - t0) / 1000000))
}

# A libvirtd that was already running when /dev/kvm was fixed: measured here,
# it accepts the cache of its last probe on the next query and stops
# re-probing by itself. Restart it only if it still re-probes.
settle_libvirtd() {
	local first second pid
	command -v virsh >/dev/null || return 0
	first=$(caps_query_ms) || return 0
	second=$(caps_query_ms) || return 0
	if [ "$second" -lt 1000 ]; then
		echo "services: libvirtd stopped re-probing QEMU by itself (capability queries ${first} ms, ${second} ms)"
		return 0
	fi
	pid=$(pgrep -x -o libvirtd) || return 0
	echo "services: libvirtd still re-probes QEMU (capability query ${second} ms): restarting it (pid $pid)"
	kill -TERM "$pid"
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	start libvirtd
	wait_socket
}

[ "$(id -u)" -eq 0 ] || { echo "services: needs root to start libvirtd/virtlogd" >&2; exit 1; }
libvirtd_was_running=false
pgrep -x libvirtd >/dev/null && libvirtd_was_running=true
kvm_changed=false
fix_kvm && kvm_changed=true
start virtlogd
start libvirtd
wait_socket
if $kvm_changed && $libvirtd_was_running; then
	settle_libvirtd
fi
exit 0
