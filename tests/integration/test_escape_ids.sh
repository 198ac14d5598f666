#!/usr/bin/env bash
# Identities and limits of a container, tried from inside (root):
# - the user namespace maps root to a host block outside every /etc/subuid
#   and /etc/subgid range (not 100000, Debian's first range), as recorded;
# - supplementary groups of whoever started cvbench (here setpriv --groups
#   4,24) do not reach the container, with or without a user namespace;
# - without --pids-max every container cgroup gets pids.max 4096, recorded as
#   the default: a fork bomb (fork-hog, 5000 wanted) stays under it and the
#   host can still fork afterwards; an explicit --pids-max wins.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

echo "container identities and limits: id map, groups, default pids.max"
if [ "$(id -u)" -ne 0 ]; then
	skip "container identities" "needs root"
	finish
	exit $?
fi
if ! $CVBENCH list | grep -Eq '^  container +available'; then
	skip "container identities" "$($CVBENCH list | grep -A1 '^  container' | tail -n1)"
	finish
	exit $?
fi

NO_USER=pid,mnt,uts,ipc,net,cgroup
GROUPS_RUN="setpriv --groups 4,24 --"
run() { # OUT ARGS...: one launch, its host-load warnings dropped
	local out=$1
	shift
	$CVBENCH run --reps 1 --warmup 0 --quiet --out "$out" "$@" 2>"$TMP/run.err" ||
		{ tail -n 2 "$TMP/run.err" >&2; return 1; }
	RUNS="$RUNS $(jq -r .run_id "$out")"
}
RUNS=""
# Only this script's runs: other tests on the host may hold their own cgroups.
none_of_ours_left() {
	local id l
	for id in $RUNS; do
		l=$(leftovers | grep -F -- "$id") && { echo "$l"; return 1; }
	done
	return 0
}
fact() { jq -r ".cells[0].launches[0].facts.$2" "$1"; }
is() { # FILE FACT VALUE
	local v
	v=$(fact "$1" "$2")
	[ "$v" = "$3" ] || { echo "$2=$v, expected $3"; return 1; }
}

# --- the id map ---------------------------------------------------------------
# overlaps BASE COUNT: some /etc/subuid or /etc/subgid range meets [BASE, BASE+COUNT)
overlaps() {
	cat /etc/subuid /etc/subgid 2>/dev/null | awk -F: -v b="$1" -v n="$2" \
		'NF == 3 && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/ && $2 < b + n && b < $2 + $3 { found = 1 } END { exit !found }'
}
no_overlap() { ! overlaps "$@"; }
map_is() { # FILE FACT "0 BASE COUNT": the map line, spaces squeezed
	local v
	v=$(fact "$1" "$2" | tr -s ' ' | sed 's/^ //')
	[ "$v" = "$3" ] || { echo "$2='$v', expected '$3'"; return 1; }
}
out="$TMP/map.json"
if run "$out" --backend container --workload audit; then
	map=$(jq -r '.cells[0].backend_setup.uid_gid_map' "$out")
	read -r inside base count <<<"$map"
	check "the results record the map (0 <base> 65536): '$map'" test "$inside" = 0 -a "$count" = 65536
	check "root inside is host uid $base, as recorded" map_is "$out" uid_map "0 $base 65536"
	check "gid map the same" map_is "$out" gid_map "0 $base 65536"
	check "the block is not Debian's first subordinate range (100000)" test "$base" -ge 1879048192
	check "no /etc/subuid or /etc/subgid range overlaps it" no_overlap "$base" 65536
else
	fail "audit with a user namespace"
fi

# --- supplementary groups -----------------------------------------------------
out="$TMP/native.json"
if $GROUPS_RUN $CVBENCH run --backend native --workload audit --reps 1 --warmup 0 --quiet --out "$out" 2>/dev/null; then
	RUNS="$RUNS $(jq -r .run_id "$out")"
	check "control: a native agent started under setpriv --groups 4,24 has them" is "$out" supplementary_groups 4,24
else
	fail "native audit under setpriv"
fi
no_groups() { # FILE: the audit saw no supplementary group
	jq -e '.cells[0].launches[0].facts | .supplementary_groups_count == 0 and .supplementary_groups == ""' "$1" >/dev/null ||
		{ jq -c '.cells[0].launches[0].facts | {supplementary_groups_count, supplementary_groups, setgroups}' "$1"; return 1; }
}
for ns in default "$NO_USER"; do
	out="$TMP/groups.json"
	args=(--backend container --workload audit)
	[ "$ns" = default ] || args+=(--ns "$ns")
	if $GROUPS_RUN $CVBENCH run "${args[@]}" --reps 1 --warmup 0 --quiet --out "$out" 2>"$TMP/run.err"; then
		RUNS="$RUNS $(jq -r .run_id "$out")"
		check "no supplementary group inside ($ns namespaces; harness holds 4,24)" no_groups "$out"
	else
		fail "container audit under setpriv ($ns)" "$(tail -n 2 "$TMP/run.err")"
	fi
done
if $CVBENCH report "$TMP/groups.json" --out-dir "$TMP/rep" >/dev/null 2>&1; then
	check "the report's isolation rows state the groups" grep -q '^| Isolation: supplementary groups | none |' "$TMP/rep/report.md"
else
	fail "report of the audit"
fi

# --- the default pids.max -----------------------------------------------------
out="$TMP/bomb.json"
if run "$out" --backend container --workload fork-hog --param procs=5000 --param duration_ms=2000; then
	check "without --pids-max the cgroup got pids.max 4096, recorded as the default" jq -e \
		'.cells[0].launches[0].backend.limits | .pids_max == 4096 and .pids_max_default == true' "$out"
	check "and the run's set-up says so" jq -e '.cells[0].backend_setup.limits | .pids_max == 4096 and .pids_max_default == true' "$out"
	peak=$(jq -r '.cells[0].metrics.fork_hog_peak_procs.samples[0]' "$out")
	check "a fork bomb wanting 5000 stays under 4096 (peak $peak)" jq -e '.cells[0].metrics.fork_hog_peak_procs.samples[0] < 4096' "$out"
else
	fail "fork-hog with the default pids.max"
fi
check "the host can still fork" sh -c 'for i in 1 2 3 4 5; do /bin/true || exit 1; done'
out="$TMP/bomb64.json"
if run "$out" --backend container --workload fork-hog --param procs=200 --param duration_ms=300 --pids-max 64; then
	check "--pids-max 64 wins over the default" jq -e '.cells[0].launches[0].backend.limits | .pids_max == 64 and .pids_max_default == false' "$out"
	check "and holds (peak < 64)" jq -e '.cells[0].metrics.fork_hog_peak_procs.samples[0] < 64' "$out"
else
	fail "fork-hog with --pids-max 64"
fi
out="$TMP/nocg.json"
if run "$out" --backend container --workload ready --no-cgroup; then
	check "--no-cgroup: no pids.max, none claimed" jq -e '.cells[0].backend_setup.limits | .pids_max == null and .pids_max_default == false' "$out"
else
	fail "--no-cgroup run"
fi
check "nothing of these runs left" none_of_ours_left

finish
