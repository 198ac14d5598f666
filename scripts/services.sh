#!/usr/bin/env bash
# Starts libvirtd and virtlogd when they are not running (these machines have
# no systemd). Idempotent; prints what it did.
set -euo pipefail
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
[ "$(id -u)" -eq 0 ] || { echo "services: needs root to start libvirtd/virtlogd" >&2; exit 1; }
start virtlogd
start libvirtd
# Wait for the socket so that the first client does not race the daemon.
for _ in $(seq 50); do
	[ -S /var/run/libvirt/libvirt-sock ] && exit 0
	sleep 0.1
done
echo "services: libvirtd did not create /var/run/libvirt/libvirt-sock" >&2
exit 1
