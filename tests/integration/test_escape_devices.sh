#!/usr/bin/env bash
# Escapes through devices, the keyring and /sys, tried from inside the
# container by the audit's probes (workloads/audit_host.c) (root):
# - host block devices: mknod + open of the host's disks in /tmp, /scratch
#   and /dev, without a user namespace (even --harden all --rootfs-rw), in a
#   chroot without a mount namespace, and with the default namespaces;
# - the session keyring: the harness's (with a canary key in it) must not be
#   the container's;
# - /sys without a network namespace: no mount under it may be writable.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

echo "container escapes: devices, keyring, /sys"
if [ "$(id -u)" -ne 0 ]; then
	skip "container escapes" "needs root"
	finish
	exit $?
fi
if ! $CVBENCH list | grep -Eq '^  container +available'; then
	skip "container escapes" "$($CVBENCH list | grep -A1 '^  container' | tail -n1)"
	finish
	exit $?
fi

NO_USER=pid,mnt,uts,ipc,net,cgroup
RUNS="" # the run ids of this script, for the leftovers check
audit() { # OUT ARGS...: one container/audit launch (its warnings about host load dropped)
	local out=$1 rc
	shift
	$CVBENCH run --backend container --workload audit --reps 1 --warmup 0 --quiet --out "$out" "$@" 2>"$TMP/audit.err"
	rc=$?
	RUNS="$RUNS $(jq -r .run_id "$out" 2>/dev/null)"
	[ $rc -eq 0 ] || { tail -n 2 "$TMP/audit.err" >&2; return $rc; }
}
fact() { jq -r ".cells[0].launches[0].facts.$2" "$1"; }
# says FILE FACT VALUE: the fact has that value (else shows the probe's words)
says() {
	local v
	v=$(fact "$1" "$2")
	[ "$v" = "$3" ] || { echo "$2=$v; $(jq -c '.cells[0].launches[0].facts | with_entries(select(.key|test("probe|mounts|keyring")))' "$1")"; return 1; }
}

# --- host block devices -------------------------------------------------------
for args in "--ns $NO_USER --harden all --rootfs-rw" "--ns $NO_USER --rootfs-rw" \
	"--ns net,uts,ipc --harden caps,nnp" "--ns net,uts,ipc" ""; do
	out="$TMP/blk.json"
	# shellcheck disable=SC2086 # several words
	if audit "$out" $args 2>"$TMP/blk.err"; then
		# A host without block devices (a bare VM) leaves nothing to try.
		if [ "$(fact "$out" host_block_device_probe)" = "no block device found to try" ]; then
			skip "no host block device opens (${args:-default namespaces})" "the container sees no block device on this host to try"
		else
			check "no host block device opens (${args:-default namespaces})" says "$out" can_open_host_block_device no
		fi
		case $args in # a chroot (no mount namespace) has no /dev of its own
		*"--ns net,uts,ipc"*) ;;
		*) check "/dev/null, zero, full, random, urandom still open (${args:-default namespaces})" says "$out" standard_devices_open yes ;;
		esac
	else
		fail "audit ${args:-default namespaces}" "$(tail -n 2 "$TMP/blk.err")"
	fi
done
out="$TMP/allow.json"
audit "$out" --ns "$NO_USER"
check "the results name the device allowlist and what enforces it" jq -e '.cells[0].backend_setup.device_allowlist |
	(.enforced_by | test("devices controller|BPF")) and (.rules | index("c 1:3 rwm") != null and index("b *:* m") != null)' "$out"

# --- the session keyring --------------------------------------------------------
for ns in "" "--ns $NO_USER"; do
	out="$TMP/key.json"
	# shellcheck disable=SC2016 # expanded by the inner shell
	keyctl session - sh -c 'keyctl id @s >"$1/host-serial" && keyctl add user cvb-canary secret @s >/dev/null &&
		shift && "$@"' sh "$TMP" $CVBENCH run --backend container --workload audit --reps 1 --warmup 0 \
		--quiet --out "$out" $ns >/dev/null 2>&1
	host=$(cat "$TMP/host-serial" 2>/dev/null)
	RUNS="$RUNS $(jq -r .run_id "$out" 2>/dev/null)"
	check "the container has a session keyring of its own (${ns:-default namespaces})" sh -c \
		"[ -n '$host' ] && [ \"\$(jq -r '.cells[0].launches[0].facts.session_keyring' $out)\" != '$host' ]"
	check "the host's canary key is out of sight (${ns:-default namespaces})" sh -c \
		"jq -e '.cells[0].launches[0].facts | .host_keyring_visible==\"no\" and (.session_keyring_contents|test(\"cvb-canary\")|not)' $out"
done

# --- /sys without a network namespace --------------------------------------------
for args in "--ns pid,mnt,uts,ipc,cgroup" "--ns pid,mnt,uts,ipc,cgroup,user" "--ns pid,mnt,uts,ipc,cgroup --harden all"; do
	out="$TMP/sys.json"
	# shellcheck disable=SC2086 # several words
	audit "$out" $args
	check "no writable mount under the host's /sys ($args)" says "$out" host_sys_writable no
done

# --- masked paths -----------------------------------------------------------------
out="$TMP/mask.json"
audit "$out" --ns pid,mnt,uts,ipc,cgroup,user
for p in /proc/asound /proc/timer_stats /sys/devices/virtual/powercap /proc/kcore /sys/firmware; do
	if [ -e "$p" ]; then
		check "$p is masked" sh -c "jq -r '.cells[0].launches[0].facts.mount_points' $out | tr , '\n' | grep -qx '$p'"
	else
		skip "$p is masked" "this host has no $p"
	fi
done

# Another run on the host (another test) may be live: only ours count.
ours_left() {
	local l r
	l=$(leftovers)
	for r in $RUNS; do
		[ "$r" = null ] || ! echo "$l" | grep -F -- "$r" || return 1
	done
}
check "nothing of these runs left (cgroups, the devices one included, run dirs)" ours_left
finish
