#!/usr/bin/env bash
# Escapes the seccomp profiles must stop (issue 12, Medium 6), tried from
# inside a container by the audit workload's probes (workloads/audit_privs.c):
# a nested user namespace after `--harden caps` alone (open, documented: the
# audit must say so), closed by caps,nnp,seccomp; io_uring, pidfd_getfd,
# process_madvise, a refused persona, AF_VSOCK and a syscall newer than
# libseccomp, refused by the default-deny profile and let through by the old
# deny list (seccomp=denylist), which the audit must report as open. Then
# every workload runs under --harden all: the allowlist lacks nothing the
# agent needs. Root only.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

echo "escape: seccomp profiles (user namespaces, filtered calls)"
if [ "$(id -u)" -ne 0 ]; then
	skip "seccomp escapes" "needs root"
	finish
	exit $?
fi
if ! $CVBENCH list | grep -Eq '^  container +available'; then
	skip "seccomp escapes" "$($CVBENCH list | grep -A1 '^  container' | tail -n1)"
	finish
	exit $?
fi

# audit HARDEN FILE: one container/audit launch with that hardening.
audit() {
	check "run container/audit --harden $1" $CVBENCH run --backend container --workload audit \
		--harden "$1" --reps 1 --warmup 0 --quiet --out "$2"
}
fact() { jq -r --arg k "$2" '.cells[0].launches[0].facts[$k] // "absent"' "$1"; }
# is FILE KEY VALUE: the fact has exactly that value.
is() { [ "$(fact "$1" "$2")" = "$3" ] || { echo "$2: $(fact "$1" "$2")"; return 1; }; }
# has FILE KEY ITEM...: the fact's comma list holds every item.
has() {
	local f=$1 k=$2 v
	shift 2
	v=",$(fact "$f" "$k"),"
	for item; do case $v in *",$item,"*) ;; *) echo "$k: $v lacks $item"; return 1 ;; esac; done
}
io_uring_off=$(cat /proc/sys/kernel/io_uring_disabled 2>/dev/null || echo 0)

# --- caps alone: a nested user namespace is possible (documented open) -----
out="$TMP/caps.json"
audit caps "$out"
check "caps: capabilities dropped to the kept set" is "$out" cap_effective 00000000a80425fb
check "caps alone: the audit reports a user namespace can be created (open)" \
	is "$out" can_create_user_namespace yes
check "caps alone: clone(CLONE_NEWUSER) worked" sh -c "jq -r '.cells[0].launches[0].facts.user_namespace_probe' $out | grep -q '^clone: ok'"

# --- caps,nnp,seccomp: the default-deny profile closes the gaps -----------
out="$TMP/all.json"
audit caps,nnp,seccomp "$out"
check "default profile recorded: name and 'default-deny (N allowed)'" jq -e '.cells[0].backend_setup |
	.seccomp_profile=="default" and (.seccomp_profile_summary|test("^default-deny \\([0-9]+ allowed\\)$"))' "$out"
check "default profile: no user namespace" is "$out" can_create_user_namespace no
check "default profile: clone EPERM, clone3 ENOSYS, unshare EPERM" \
	is "$out" user_namespace_probe "clone: EPERM, clone3: ENOSYS, unshare: EPERM"
check "default profile: none of the probed calls gets past the filter" is "$out" syscalls_reachable none
check "default profile: io_uring, pidfd_getfd, process_madvise, persona, vsock refused (EPERM), open_tree_attr ENOSYS" \
	is "$out" syscalls_probe "io_uring_setup: EPERM, pidfd_getfd: EPERM, process_madvise: EPERM, personality: EPERM, socket_vsock: EPERM, open_tree_attr: ENOSYS"
check "results validate against the schema" validate "$out"
check "report: isolation rows say default-deny, no user namespace, nothing let through" sh -c "
	$CVBENCH report $out --out-dir $TMP/rep >/dev/null 2>&1 &&
	grep -q 'Isolation: seccomp.*default-deny ([0-9]* allowed), no_new_privs set' $TMP/rep/report.md &&
	grep -q 'Isolation: can create a user namespace.*| no' $TMP/rep/report.md &&
	grep -q 'Isolation: syscalls the filter lets through.*| none' $TMP/rep/report.md"

# --- the old deny list: the same probes get through (reported open) --------
out="$TMP/deny.json"
audit caps,nnp,seccomp=denylist "$out"
check "denylist recorded: 'default-allow (52 denied)', label harden=caps,nnp,seccomp=denylist" jq -e '
	.cells[0].backend_setup.seccomp_profile=="denylist" and
	(.cells[0].backend_setup.seccomp_profile_summary|test("^default-allow \\([0-9]+ denied\\)$")) and
	.cells[0].label=="container/audit harden=caps,nnp,seccomp=denylist"' "$out"
check "denylist: a user namespace can be created (clone's flags unfiltered)" \
	is "$out" can_create_user_namespace yes
check "denylist: pidfd_getfd, process_madvise, personality, vsock reported open" \
	has "$out" syscalls_reachable pidfd_getfd process_madvise personality socket_vsock
# open_tree_attr is Linux 6.15: an older kernel (the pure-v2 guest's 6.1)
# answers ENOSYS itself, with no filter at all, as a native audit shows.
native_probe=$($CVBENCH run --backend native --workload audit --reps 1 --warmup 0 --quiet \
	--out "$TMP/native.json" 2>/dev/null && fact "$TMP/native.json" syscalls_probe)
case $native_probe in
*"open_tree_attr: ENOSYS"*)
	skip "denylist: open_tree_attr (newer than libseccomp) reported open" "kernel $(uname -r) has no open_tree_attr (6.15+): ENOSYS without a filter" ;;
*"open_tree_attr: "*)
	check "denylist: open_tree_attr (newer than libseccomp) reported open" has "$out" syscalls_reachable open_tree_attr ;;
*) fail "native audit for the kernel's own answer to open_tree_attr" "syscalls_probe: '$native_probe'" ;;
esac
if [ "$io_uring_off" = 0 ]; then
	check "denylist: io_uring_setup reported open" has "$out" syscalls_reachable io_uring_setup
else
	skip "denylist: io_uring_setup reported open" "kernel.io_uring_disabled=$io_uring_off refuses it itself"
fi

# --- the allowlist lacks nothing the agent needs ---------------------------
out="$TMP/work.json"
check "every workload runs in a container under --harden all" $CVBENCH run --backend container \
	--workload ready,idle,cpu-hog,mem-hog,fork-hog,audit,syscall,cpu-victim,mem-victim,wake-victim,io-hog \
	--harden all --param duration_ms=100 --param mib=8 --param procs=5 --param target_ms=2 \
	--param repeats=2 --param units=20 --param size_mib=8 --param accesses=50000 --param wakeups=50 \
	--param file_mib=8 --settle-ms 200 --reps 2 --warmup 0 --quiet --out "$out"
check "--harden all: every cell ok, every launch exits 0" jq -e '(.cells|length)==11 and
	([.cells[] | .status=="ok" and ([.launches[] | .status=="ok" and .exit.code==0] | all)] | all)' "$out"
check "--harden all: no fork refused, no io-hog error, all 8 syscall ops measured" jq -e '
	([.cells[] | select(.workload=="fork-hog") | .metrics.fork_hog_fork_failures.samples[]] | all(. == 0)) and
	([.cells[] | select(.workload=="io-hog") | .launches[].facts | has("io_hog_error") | not] | all) and
	([.cells[] | select(.workload=="syscall") | .metrics | keys[] | select(startswith("syscall_"))] | length == 8)' "$out"
check "--harden all: the filter was on in every launch (seccomp_mode 2 in the audit)" \
	jq -e '[.cells[] | select(.workload=="audit") | .launches[].facts.seccomp_mode=="2"] | all and length==2' "$out"
# Only this script's runs: other runs may be live on the host meanwhile.
mine_left() {
	local f id
	for f in "$TMP"/caps.json "$TMP"/all.json "$TMP"/deny.json "$TMP"/work.json; do
		id=$(jq -r .run_id "$f") || return 1
		no_leftovers "$id" || return 1
		! ls -d /var/lib/cvbench/cvb-"$id"* 2>/dev/null | grep -q . || return 1
		! find /sys/fs/cgroup -maxdepth 3 -name "cvb-$id*" 2>/dev/null | grep -q . || return 1
	done
}
check "nothing of these runs left (processes, run dirs, cgroups)" mine_left

finish
