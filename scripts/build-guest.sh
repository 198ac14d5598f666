#!/usr/bin/env bash
# Builds the VM backend's guest: a kernel and an initramfs whose /init is the
# very same static cvb-agent that runs natively and as a container's PID 1.
#
# usage: scripts/build-guest.sh [--kernel PATH] [--out DIR] [--agent PATH]
#                               [--compress none|gzip]
#   --kernel PATH  any bzImage instead of Debian's linux-image-cloud-amd64
#   --out DIR      output directory (default build/guest); the .deb cache
#                  lives in DIR/cache
#   --agent PATH   the static agent (default: cvb-agent beside DIR)
#   --compress     initramfs compression (default none: faster under TCG,
#                  see below)
# Writes DIR/vmlinuz, DIR/initramfs.img and DIR/kernel-version.txt, readable
# by the user libvirt runs QEMU as. Idempotent: the .deb is downloaded once,
# the initramfs is rebuilt only when the agent (or this script) is newer.
set -euo pipefail

# Files must be readable, and directories traversable, by libvirt-qemu.
umask 022

META_PKG=linux-image-cloud-amd64
QEMU_USER=libvirt-qemu

root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/guest
kernel=""
agent=""
# Measured under TCG (kernel log, initramfs_async=0): the kernel unpacks the
# plain ~1 MB cpio in 13-22 ms, the ~0.4 MB gzip one in 34-55 ms, while
# QEMU's fw_cfg DMA loads either size at no visible cost. Small next to the
# ~0.5 s boot-to-boot noise, but never slower.
compress=none

die() { echo "build-guest: error: $*" >&2; exit 1; }
note() { echo "build-guest: $*"; }

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=${2:?--kernel needs a path}; shift 2 ;;
	--out) out=${2:?--out needs a directory}; shift 2 ;;
	--agent) agent=${2:?--agent needs a path}; shift 2 ;;
	--compress) compress=${2:?--compress needs none or gzip}; shift 2 ;;
	-h | --help) sed -n '2,15s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) die "unknown argument '$1' (try --help)" ;;
	esac
done
case $compress in none | gzip) ;; *) die "--compress must be none or gzip, not '$compress'" ;; esac

mkdir -p "$out"
out=$(cd "$out" && pwd)
[ -n "$agent" ] || agent=$(dirname "$out")/cvb-agent
[ -f "$agent" ] || die "no agent at $agent (run 'make' first)"
agent=$(cd "$(dirname "$agent")" && pwd)/$(basename "$agent")
# /init has no loader or libraries beside it: a dynamic agent would not run.
if command -v readelf >/dev/null && readelf -lW "$agent" | grep -q 'program interpreter'; then
	die "$agent is dynamically linked; the initramfs holds no loader for it"
fi
cache=$out/cache

tmp=""
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT
tmp=$(mktemp -d "$out/.build.XXXXXX")
chmod 0755 "$tmp" # apt-get download runs as _apt and must reach its directory

# --- kernel --------------------------------------------------------------

# Prints the concrete linux-image-<abi>-cloud-amd64 the metapackage pulls in,
# or nothing when the package lists do not know it.
resolve_pkg() {
	apt-cache depends "$META_PKG" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
}

# Prints the candidate version of package $1 (what apt-get download fetches).
candidate() {
	apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2; exit }'
}

# The cached .deb of package $1 version $2 (apt escapes ':' of an epoch).
deb_path() { echo "$cache/${1}_${2//:/%3a}_amd64.deb"; }

# True when the cached .deb matches the SHA256 the package lists give.
deb_verified() {
	local want have
	want=$(apt-cache show "$1=$2" 2>/dev/null | awk '$1 == "SHA256:" { print $2; exit }')
	[ -n "$want" ] || return 0 # lists gone: trust what apt verified earlier
	have=$(sha256sum "$3" | cut -d' ' -f1)
	[ "$want" = "$have" ]
}

download() {
	local pkg=$1 ver=$2 dl
	dl=$(mktemp -d "$tmp/dl.XXXXXX")
	# apt downloads as _apt: let it write here, or it falls back to
	# root with a warning.
	if [ "$(id -u)" -eq 0 ] && id -u _apt >/dev/null 2>&1; then
		chown _apt "$dl"
	fi
	(cd "$dl" && apt-get download -q "$pkg=$ver") || return 1
	mkdir -p "$cache"
	mv -f "$dl"/*.deb "$(deb_path "$pkg" "$ver")"
}

update_lists() {
	[ "$(id -u)" -eq 0 ] || die "the apt package lists do not know $META_PKG; run 'apt-get update' as root"
	note "apt lists lack $META_PKG: running apt-get update"
	apt-get update -q >&2
}

config=""
if [ -n "$kernel" ]; then
	[ -r "$kernel" ] || die "cannot read kernel '$kernel'"
	# A bzImage carries "HdrS" at offset 0x202 (the x86 boot protocol).
	[ "$(dd if="$kernel" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ] ||
		die "'$kernel' is not an x86 bzImage (no HdrS boot header)"
	kernel_src=$kernel
	kernel_version="custom $(cd "$(dirname "$kernel")" && pwd)/$(basename "$kernel") sha256:$(sha256sum "$kernel" | cut -d' ' -f1)"
	# A distribution kernel's config often sits beside it (/boot/config-<rel>).
	base=$(basename "$kernel")
	if [ "${base#vmlinuz-}" != "$base" ] && [ -r "$(dirname "$kernel")/config-${base#vmlinuz-}" ]; then
		config=$(dirname "$kernel")/config-${base#vmlinuz-}
	fi
	note "kernel: $kernel (given; no modules are taken from it)"
else
	pkg=$(resolve_pkg)
	ver=""
	[ -z "$pkg" ] || ver=$(candidate "$pkg")
	if [ -z "$ver" ]; then
		# Offline and no lists: a .deb fetched earlier still does.
		deb=$(ls "$cache"/linux-image-*-cloud-amd64_*_amd64.deb 2>/dev/null | sort -V | tail -n1 || true)
		if [ -n "$deb" ]; then
			pkg=$(dpkg-deb -f "$deb" Package)
			ver=$(dpkg-deb -f "$deb" Version)
			note "apt lists do not resolve $META_PKG; using the cached $pkg $ver"
		else
			update_lists
			pkg=$(resolve_pkg)
			[ -n "$pkg" ] || die "apt does not know $META_PKG even after apt-get update"
			ver=$(candidate "$pkg")
			[ -n "$ver" ] || die "no installable version of $pkg"
		fi
	fi
	deb=$(deb_path "$pkg" "$ver")
	if [ -f "$deb" ] && ! deb_verified "$pkg" "$ver" "$deb"; then
		note "cached $(basename "$deb") does not match its SHA256: downloading it again"
		rm -f "$deb"
	fi
	if [ -f "$deb" ]; then
		note "kernel: $pkg $ver (cached .deb)"
	else
		note "kernel: $pkg $ver (downloading; $META_PKG depends on it)"
		if ! download "$pkg" "$ver"; then
			# Stale lists name a version the mirror no longer has.
			update_lists
			ver=$(candidate "$pkg")
			[ -n "$ver" ] || die "no installable version of $pkg"
			deb=$(deb_path "$pkg" "$ver")
			download "$pkg" "$ver" || die "apt-get download $pkg=$ver failed"
		fi
	fi
	# Unpacked beside the .deb, never installed on this host.
	tree=${deb%.deb}
	if [ ! -d "$tree/boot" ]; then
		rm -rf "$tree" "$tree.tmp"
		dpkg-deb -x "$deb" "$tree.tmp"
		mv "$tree.tmp" "$tree"
	fi
	# Older kernels fetched before are of no further use.
	for old in "$cache"/linux-image-*-cloud-amd64_*; do
		if [ -e "$old" ] && [ "$old" != "$deb" ] && [ "$old" != "$tree" ]; then
			rm -rf "$old"
		fi
	done
	kernel_src=$(ls "$tree"/boot/vmlinuz-* 2>/dev/null | head -n1 || true)
	[ -n "$kernel_src" ] || die "no boot/vmlinuz-* in $deb"
	config=$(ls "$tree"/boot/config-* 2>/dev/null | head -n1 || true)
	kernel_version="$pkg $ver"
fi

# --- does the kernel need modules? ----------------------------------------
# The agent cannot insmod, so everything the guest uses must be built in.
need=(
	"BLK_DEV_INITRD:the initramfs itself"
	"BINFMT_ELF:running the static agent"
	"DEVTMPFS:/dev, which the agent mounts"
	"PROC_FS:/proc"
	"SYSFS:/sys"
	"TTY:terminals"
	"SERIAL_8250:ttyS0 (console) and ttyS1 (agent channel)"
	"SERIAL_8250_CONSOLE:the kernel console on ttyS0"
	"ACPI:power-off, so that QEMU -no-reboot exits"
	"ACPI_SYSTEM_POWER_STATES_SUPPORT:ACPI S5 power-off (acpi_power_off)"
)
[ "$compress" = none ] || need+=("RD_GZIP:a gzip initramfs")
if [ -z "$config" ]; then
	note "modules: no kernel config found: built-in serial/devtmpfs/ACPI not verified"
else
	bad=()
	for item in "${need[@]}"; do
		opt=${item%%:*}
		val=$(sed -n "s/^CONFIG_$opt=//p" "$config")
		case $val in
		y) ;;
		m) bad+=("CONFIG_$opt=m (${item#*:})") ;;
		*) bad+=("CONFIG_$opt not set (${item#*:})") ;;
		esac
	done
	# ttyS1 exists only if the 8250 driver registers at least two ports.
	uarts=$(sed -n 's/^CONFIG_SERIAL_8250_RUNTIME_UARTS=//p' "$config")
	[ "${uarts:-0}" -ge 2 ] || bad+=("CONFIG_SERIAL_8250_RUNTIME_UARTS=${uarts:-unset} (need 2: ttyS1)")
	if [ ${#bad[@]} -gt 0 ]; then
		printf 'build-guest: error: the kernel lacks built-ins the agent relies on (it cannot load modules):\n' >&2
		printf '  %s\n' "${bad[@]}" >&2
		die "use a kernel with these =y (--kernel PATH)"
	fi
	note "modules: none needed: ${need[*]%%:*} all =y in $(basename "$config")"
fi

# --- outputs ---------------------------------------------------------------

# Replaces $2 with $1 atomically (a concurrent boot never reads half a file).
publish() {
	local t
	t=$(mktemp "$out/.publish.XXXXXX")
	cat "$1" >"$t"
	chmod 0644 "$t"
	mv -f "$t" "$2"
}

if ! cmp -s "$kernel_src" "$out/vmlinuz"; then
	publish "$kernel_src" "$out/vmlinuz"
fi
chmod 0644 "$out/vmlinuz"
if [ "$(cat "$out/kernel-version.txt" 2>/dev/null)" != "$kernel_version" ]; then
	echo "$kernel_version" >"$tmp/kv"
	publish "$tmp/kv" "$out/kernel-version.txt"
fi

img=$out/initramfs.img
# Rebuild when the agent or this script changed, or the compression did.
rebuild=yes
if [ -f "$img" ] && [ ! "$agent" -nt "$img" ] && [ ! "$0" -nt "$img" ]; then
	magic=$(od -An -c -N6 "$img" | tr -d ' ')
	case $compress:$magic in
	none:070701 | gzip:037213*) rebuild=no ;;
	esac
fi
if [ $rebuild = yes ]; then
	stage=$tmp/root
	mkdir -p "$stage"/{proc,sys,dev,tmp}
	chmod 1777 "$stage/tmp"
	install -m 0755 "$agent" "$stage/init"
	list=(dev init proc sys tmp)
	if [ "$(id -u)" -eq 0 ]; then
		# The kernel opens /dev/console for init's fds 0-2 before any
		# devtmpfs exists.
		mknod -m 0600 "$stage/dev/console" c 5 1
		list=(dev dev/console init proc sys tmp)
	else
		note "not root: no /dev/console node (the agent then mounts devtmpfs and opens its channel itself)"
	fi
	# Fixed mtimes and --reproducible: the same agent gives the same image.
	find "$stage" -exec touch -h -r "$agent" {} +
	(cd "$stage" && printf '%s\n' "${list[@]}" | cpio -o -H newc -R 0:0 --reproducible --quiet) >"$tmp/initramfs.cpio"
	if [ "$compress" = gzip ]; then
		gzip -9 -n -c "$tmp/initramfs.cpio" >"$tmp/initramfs.img"
	else
		mv "$tmp/initramfs.cpio" "$tmp/initramfs.img"
	fi
	publish "$tmp/initramfs.img" "$img"
	note "initramfs: $img ($(stat -c %s "$img") bytes, $compress; /init = $agent)"
else
	note "initramfs: $img up to date ($(stat -c %s "$img") bytes, $compress)"
fi
chmod 0644 "$img" "$out/kernel-version.txt"

# --- can QEMU's user read them? --------------------------------------------

# Runs "$@" as the QEMU user with its own groups (root only).
as_qemu() { setpriv --reuid="$QEMU_USER" --regid="$(id -g "$QEMU_USER")" --init-groups "$@"; }

if ! id -u "$QEMU_USER" >/dev/null 2>&1; then
	note "no user $QEMU_USER on this host: read access for libvirt not checked"
elif [ "$(id -u)" -ne 0 ]; then
	note "not root: cannot check read access as $QEMU_USER"
else
	for f in "$out/vmlinuz" "$img"; do
		as_qemu test -r "$f" && continue
		# Name the first directory on the way that stops it.
		d=""
		IFS=/ read -ra parts <<<"${f#/}"
		for p in "${parts[@]:0:${#parts[@]}-1}"; do
			d=$d/$p
			as_qemu test -x "$d" ||
				die "$QEMU_USER cannot traverse $d ($(stat -c '%A %U:%G' "$d")), so libvirt's QEMU cannot read $f: chmod o+x $d, or put the guest elsewhere (--out)"
		done
		die "$QEMU_USER cannot read $f ($(stat -c '%A %U:%G' "$f"))"
	done
	note "$QEMU_USER can read $out/vmlinuz and $img"
fi
note "kernel-version: $(cat "$out/kernel-version.txt")"
