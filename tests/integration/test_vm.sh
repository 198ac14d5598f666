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

# What VM runs leave (their run directories end in -vm): other backends'
# runs, which may be live on a shared host, are not this test's business.
vm_leftovers() {
	virsh -c qemu:///system list --all --name 2>/dev/null | grep '^cvb-'
	ls -d /var/lib/cvbench/cvb-*-vm 2>/dev/null
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

# The KVM probe's verdict is cached per host boot: the first cell that needs
# it probes (or finds it from an earlier run), the next one reads the file.
check "the KVM verdict's source is recorded" jq -e '.cells[0].backend_setup.kvm_probe_source | IN("probe","cache","none")' "$out"
if jq -e '.cells[0].backend_setup.kvm_probe_source != "none"' "$out" >/dev/null; then
	# A probe that failed in a way that may not last (a lost connection under
	# load) is not cached, by design, and the note says so: then the second
	# cell probes again.
	note=$(jq -r '.cells[0].backend_setup.kvm_probe_cache_note // ""' "$out")
	if [ -n "$note" ]; then
		skip "the second cell reads the cached verdict (no second probe guest)" "the first cell's verdict was not cached: $note"
	else
		# on failure, what each cell recorded, for the report
		second_cell_cached() {
			jq -e '.cells[1].backend_setup | .kvm_probe_source=="cache" and .shared_setup_ns.kvm_probe==0 and (.kvm_probed_at|test("^[0-9-]+T[0-9:]+Z$"))' "$out" >/dev/null ||
				{ jq -c '[.cells[].backend_setup | {kvm_probe_source, kvm_probe_cache_note, probe_ns: .shared_setup_ns.kvm_probe}]' "$out"; return 1; }
		}
		check "the second cell reads the cached verdict (no second probe guest)" second_cell_cached
	fi
	# shellcheck disable=SC2016 # expanded by sh -c
	check "the verdict cache is root's alone (dir 0700, file 0600)" sh -c '[ "$(stat -c %a /run/cvbench)" = 700 ] && [ "$(stat -c %a /run/cvbench/kvm-probe.json)" = 600 ]'
	check "cleanup does not take the verdict cache for a leftover" sh -c "! $CVBENCH cleanup --dry-run | grep -q kvm-probe && [ -e /run/cvbench/kvm-probe.json ]"
	if jq -e '.cells[0].backend_setup.accel=="tcg"' "$out" >/dev/null; then
		check "list: vm available, TCG only, saying why" sh -c "$CVBENCH list | grep -A1 '^  vm ' | grep -q 'note: TCG only: KVM does not boot a guest here ('"
		check "env: the probe verdict, not 'usable'" sh -c "$CVBENCH env | grep -q '^kvm boots guest:  no (probed .*): VMs run under TCG' && ! $CVBENCH env | grep -q 'usable'"
	fi
fi

# No guest kernel next to the agent (a build without `make guest`): list
# says where it looked.
mkdir -p "$TMP/nokernel" && cp "$BUILD/cvb-agent" "$TMP/nokernel/"
check "list: vm unavailable without a guest kernel, naming the path" sh -c "CVB_AGENT=$TMP/nokernel/cvb-agent $CVBENCH list | grep -A1 '^  vm ' | grep -Fq 'reason: no guest kernel at $TMP/nokernel/guest/vmlinuz (run make guest'"

# The doctor's VM findings on a host set up by scripts/services.sh: all ok.
if $CVBENCH doctor --help >/dev/null 2>&1; then
	$CVBENCH doctor --backend vm --json >"$TMP/doctor.json" 2>/dev/null
	for c in vm.libvirtd vm.virtlogd vm.kernel vm.kvm_device vm.kvm_boots libvirt.caps_cache; do
		# shellcheck disable=SC2016 # a jq variable
		check "doctor: $c ok" jq -e --arg c "$c" '[.findings[] | select(.check==$c) | .verdict=="ok" and (.evidence|length) > 10] | length==1 and all' "$TMP/doctor.json"
	done
fi

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
