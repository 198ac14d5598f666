#!/usr/bin/env bash
# The VM backend for real (root, libvirtd, a guest kernel from `make guest`).
# Boots are few: each costs seconds under TCG.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

echo "VM backend, for real (few boots: seconds each under TCG)"
why=""
[ "$(id -u)" -eq 0 ] || why="needs root"
[ -z "$why" ] && ! $CVBENCH list | grep -Eq '^  vm +available' && why="$($CVBENCH list | grep -A1 '^  vm ' | tail -n1 | sed 's/^ *reason: //')"
[ -z "$why" ] && [ ! -r "$BUILD/guest/vmlinuz" ] && why="no guest kernel at $BUILD/guest/vmlinuz (make guest)"
if [ -n "$why" ]; then
	skip "VM backend" "$why"
	finish
	exit $?
fi

vm_leftovers() {
	virsh -c qemu:///system list --all --name 2>/dev/null | grep '^cvb-'
	ls -d /var/lib/cvbench/cvb-* 2>/dev/null
}
nothing_left() { local l; l=$(vm_leftovers); [ -z "$l" ] || { echo "$l"; return 1; }; }

# One run, two cells, one boot each: ready (startup) and idle (memory, STOP).
out="$TMP/v.json"
check "run vm ready,idle (auto accelerator)" $CVBENCH run --backend vm --workload ready,idle --reps 1 --warmup 0 --settle-ms 200 --quiet --out "$out"
check "results validate" validate "$out"
check "the accelerator and its reason are recorded" jq -e '.cells[0].backend_setup | (.accel=="kvm" or .accel=="tcg") and (.accel_reason|length) > 5' "$out"
check "each launch keeps its exact domain XML" jq -e '[.cells[].launches[].backend.domain_xml | test("<domain type=") and test("mode=.connect.") and test("-- (ready|idle)")] | all' "$out"
check "phases: create, channel, READY, domain gone" jq -e '[.cells[].launches[] | .phases_ns | .create_returned < .ready and .channel_connected <= .ready and .ready < .domain_gone] | all' "$out"
check "the guest reports its own kernel's uptime at READY" jq -e '.cells[0].launches[0].facts.guest_uptime_at_ready_s > 0' "$out"
check "ready: QEMU's memory measured right after READY" jq -e '.cells[0].metrics.host_pss_bytes.samples[0] > 10000000' "$out"
check "guest RAM told apart from QEMU's own cost" jq -e '.cells[0].metrics | .guest_ram_pss_bytes.samples[0] > 0 and .host_pss_excl_guest_ram_bytes.samples[0] > 0 and (.guest_ram_pss_bytes.samples[0] + .host_pss_excl_guest_ram_bytes.samples[0] == .host_pss_bytes.samples[0])' "$out"
check "idle: the guest's own MemTotal and MemAvailable" jq -e '.cells[1].launches[0].facts | .meminfo_total_bytes > 100000000 and .meminfo_available_bytes > 0' "$out"
check "idle: QEMU's memory measured, then stopped over serial" jq -e '.cells[1].status=="ok" and .cells[1].metrics.host_pss_bytes.samples[0] > 10000000' "$out"
check "nothing left after the run" nothing_left

# A guest that does not say READY in time is destroyed and says why.
out="$TMP/t.json"
$CVBENCH run --backend vm --accel tcg --workload ready --reps 1 --warmup 0 --timeout 1 --quiet --out "$out" 2>/dev/null
check "timeout: the sample fails with the reason" jq -e '.cells[0].status=="failed" and (.cells[0].reason|test("timed out after 1.0 s waiting for READY"))' "$out"
check "timeout: the domain is gone" nothing_left

# Bad input: clear one-line errors before any domain exists.
for bad in "--vcpus 0" "--vm-memory 1M" "--machine nosuch" "--accel warp" "--kernel /nonexistent" "--connect qemu+ssh://elsewhere/system"; do
	# shellcheck disable=SC2086 # each case is several words
	usage_error "vm $bad" --backend vm $bad
done

# A run killed with SIGKILL: libvirt's auto-destroy ends the domain; cleanup
# removes the files.
$CVBENCH run --backend vm --accel tcg --workload idle --reps 100 --warmup 0 --quiet --out "$TMP/k.json" &
pid=$!
for _ in $(seq 100); do [ -n "$(vm_leftovers)" ] && break; sleep 0.1; done
sleep 1
kill -KILL $pid
wait $pid 2>/dev/null
check "killed run: cleanup reports what it removed" sh -c "$CVBENCH cleanup | grep -q '^removed'"
check "killed run: no domain, socket or file remains" nothing_left

finish
