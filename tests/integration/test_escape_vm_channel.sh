#!/usr/bin/env bash
# Escape test for the VM agent's channel (issue 12, finding 3): while a real
# VM launch runs, a local intruder (tests/integration/vm_channel_intruder.py,
# root but not QEMU, forking a nobody child) finds the channel's socket and
# tries to connect and feed forged READY/DONE lines. nobody must not reach
# the socket at all (EACCES); root's connection must be refused, unread, and
# recorded in the launch; the run's results must come from the real guest;
# once QEMU holds the channel nobody else can connect. One boot per URI.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

echo "VM agent channel: only the domain's QEMU (one boot per URI, TCG)"
why=""
[ "$(id -u)" -eq 0 ] || why="needs root"
[ -z "$why" ] && ! $CVBENCH list | grep -Eq '^  vm +available' && why="$($CVBENCH list | grep -A1 '^  vm ' | tail -n1 | sed 's/^ *reason: //')"
[ -z "$why" ] && [ ! -r "$BUILD/guest/vmlinuz" ] && why="no guest kernel at $BUILD/guest/vmlinuz (make guest)"
[ -z "$why" ] && ! getent passwd 65534 >/dev/null && why="no user 65534 (nobody) for the unprivileged intruder"
if [ -n "$why" ]; then
	skip "VM agent channel" "$why"
	finish
	exit $?
fi

# attack URI: one `ready` launch through URI with the intruder watching it.
# The run waits until the intruder watches, then execs cvbench under the
# same pid, which the intruder finds the run directory by (-<hex pid>-vm).
attack() {
	local uri=$1 tag=$2 out="$TMP/$2.json" intr="$TMP/$2.intruder.json" cvb ipid rc
	rm -f "$TMP/$tag.watching"
	sh -c 'while [ ! -e "$1" ]; do sleep 0.01; done; shift; exec "$@"' sh "$TMP/$tag.watching" \
		$CVBENCH run --backend vm --accel tcg --connect "$uri" --workload ready --reps 1 --warmup 0 \
		--settle-ms 0 --quiet --out "$out" 2>"$TMP/$tag.err" &
	cvb=$!
	python3 tests/integration/vm_channel_intruder.py "$cvb" "$TMP/$tag.watching" >"$intr" &
	ipid=$!
	# A launch the intruder can stall (a full backlog blocks QEMU's connect
	# inside virDomainCreateXML) is a failure, not a hang of the test.
	(sleep 90; kill "$cvb" 2>/dev/null) &
	local dog=$!
	wait "$cvb"
	rc=$?
	kill "$dog" 2>/dev/null
	wait "$ipid"
	check "$tag: the run with an intruder at the channel exits 0" test "$rc" -eq 0
	[ -s "$out" ] || { fail "$tag: results written" "$(tail -n 2 "$TMP/$tag.err" | tr '\n' ' ')"; return; }
	check "$tag: results validate" validate "$out"
	check "$tag: the launch is ok, with the real guest's READY" jq -e '.cells[0].status=="ok" and .cells[0].launches[0].status=="ok" and .cells[0].launches[0].facts.guest_uptime_at_ready_s > 0' "$out"
	check "$tag: the intruder found the channel's socket" jq -e '.sockets | length >= 1' "$intr"
	check "$tag: nobody cannot reach the socket (EACCES)" jq -e '[.sockets[].nobody] | length >= 1 and all(.=="EACCES")' "$intr"
	check "$tag: root (not QEMU) connected, and was closed unread" jq -e '[.attempts[] | select(.connected)] | length >= 1 and all(.outcome != "still open after 60 s" and .received == "")' "$intr"
	# shellcheck disable=SC2016 # jq variables
	check "$tag: the refused intruder is recorded in the launch" jq -e --slurpfile i "$intr" '.cells[0].launches[0].backend.channel_refused_pids | index($i[0].pid) != null' "$out"
	check "$tag: the launch's channel peer is QEMU" jq -e '.cells[0].launches[0].backend.qemu_pid > 0' "$out"
	check "$tag: once QEMU has it, no second connection (the socket is gone)" jq -e '[.attempts[] | select(.errno=="ENOENT")] | length >= 1' "$intr"
	check "$tag: no forged value in the results" sh -c "! grep -q forged '$out'"
	# shellcheck disable=SC2016 # expanded by sh -c
	check "$tag: the run's directory and domain are gone" sh -c '! [ -e "$(jq -r .run_dir "$1")" ] && ! virsh -c qemu:///system list --all --name | grep -q -- "-$(printf %x "$2")-"' sh "$intr" "$cvb"
}

attack qemu:///system system
attack qemu:///session session

# Only the local daemon: its pid file is the only source of QEMU's pid.
for bad in "qemu:///embed?root=/tmp/x" "qemu+ssh://elsewhere/system" "qemu+unix:///system" "lxc:///system"; do
	usage_error "vm --connect $bad" --backend vm --connect "$bad"
done
check "the error names the allowed URIs" grep -Fq 'qemu:///system or qemu:///session' "$TMP/bad.err"

finish
