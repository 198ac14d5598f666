#!/usr/bin/env bash
# Installs every Debian package cvbench needs (build, tests, backends, plots,
# peer benchmarks). Idempotent: installs only what is missing, and runs
# `apt-get update` only when something is. Needs root.
set -euo pipefail

PACKAGES=(
	# build
	build-essential pkg-config git file
	# libraries (cJSON, cmocka, hwloc, libvirt, libseccomp)
	libcjson-dev libcmocka-dev libhwloc-dev hwloc libvirt-dev libseccomp-dev
	# VM backend: libvirt daemon, QEMU, guest image tools
	libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils cpio
	# tests and scripts (keyutils: keyctl for the keyring escape test)
	python3 python3-jsonschema jq procps util-linux iproute2 keyutils
	# make sanitize (gcc's ASan/UBSan come with build-essential) and make fuzz
	clang-14 libclang-rt-14-dev
	# plots and peer benchmarks
	gnuplot-nox hyperfine bubblewrap runc linux-perf
)

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "setup: all ${#PACKAGES[@]} packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "setup: missing packages (${missing[*]}); run this script as root to install them" >&2
	exit 1
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
