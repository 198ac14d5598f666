# Shared helpers for the integration tests (sourced). Each check prints one
# line; the script ends with `finish`, which prints a COUNTS line that
# tests/run.sh adds up, and exits non-zero if any check failed.
set -u
BUILD=${BUILD:-build}
CVBENCH="$BUILD/cvbench"
SCHEMA=results/cvbench-results.schema.json
T_PASS=0 T_FAIL=0 T_SKIP=0
TMP=$(mktemp -d /tmp/cvb-itest-XXXXXX)
trap 'rm -rf "$TMP"' EXIT

pass() { T_PASS=$((T_PASS + 1)); echo "  ok      $1"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "  FAILED  $1${2:+: $2}"; }
skip() { T_SKIP=$((T_SKIP + 1)); echo "  SKIP    $1: $2"; }

# check NAME COMMAND...: passes if the command succeeds.
check() {
	local name=$1
	shift
	if "$@" >"$TMP/check.out" 2>&1; then pass "$name"; else fail "$name" "$(tail -n 3 "$TMP/check.out" | tr '\n' ' ')"; fi
}

# validate FILE: the file is valid against the results schema.
validate() { /usr/bin/python3 -m jsonschema -i "$1" "$SCHEMA"; }

# no_leftovers RUN_ID: no process of that run is alive.
no_leftovers() {
	local pids
	pids=$(grep -l "CVB_RUN_ID=$1" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3)
	[ -z "$pids" ] || { echo "left behind: $pids"; return 1; }
}

# no_process REGEX: no process's command line matches (called directly, not
# through sh -c, whose own command line would match).
no_process() {
	local pids
	pids=$(pgrep -f -- "$1")
	[ -z "$pids" ] || { ps -o pid=,args= -p "$(echo $pids | tr ' ' ,)"; return 1; }
}

# hog_of PID: once run PID has a cpu-hog agent up (polled, up to 60 s), "its
# pid and its run id"; the agent is the harness's own child (posix_spawn, or
# the container's init cloned by it). Each noisy round starts a new hog and
# stops it when the victim is done, so a hog found may be gone a moment
# later: one whose run id cannot be read any more does not count.
hog_of() {
	local a r
	for _ in $(seq 1200); do
		for a in $(pgrep -P "$1" -f 'cvb-agent cpu-hog'); do
			r=$(run_id "$a")
			[ -n "$r" ] && { echo "$a $r"; return; }
		done
		sleep 0.05
	done
}
# run_id PID: the CVB_RUN_ID in that process's environment.
run_id() { tr '\0' '\n' 2>/dev/null <"/proc/$1/environ" | sed -n 's/^CVB_RUN_ID=//p'; }


leftovers() { # prints what runs left on the host: cgroups, run dirs, processes
	find /sys/fs/cgroup -maxdepth 3 -name 'cvb*' 2>/dev/null
	ls -d /var/lib/cvbench/cvb-* 2>/dev/null
	grep -l CVB_RUN_ID= /proc/[0-9]*/environ 2>/dev/null
}
nothing_left() { local l; l=$(leftovers); [ -z "$l" ] || { echo "$l"; return 1; }; }

usage_error() { # NAME ARGS...: exit 2, one stderr line, no result file
	local name=$1
	shift
	rm -f "$TMP/bad.json"
	$CVBENCH run "$@" --out "$TMP/bad.json" >"$TMP/bad.out" 2>"$TMP/bad.err"
	local rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$TMP/bad.err")" -eq 1 ] && [ ! -e "$TMP/bad.json" ] && [ ! -s "$TMP/bad.out" ]; then
		pass "$name -> exit 2: $(cat "$TMP/bad.err")"
	else
		fail "$name" "rc=$rc stderr=$(cat "$TMP/bad.err")"
	fi
}

finish() {
	echo "COUNTS $T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	[ "$T_FAIL" -eq 0 ]
}
