# shellcheck shell=bash
# Shared by scripts/validate*.sh (sourced, not run): where the binaries are,
# and the rows of the summary table. Every check measures a quantity the way
# cvbench does and the way an independent reference does, with the same
# definition on both sides, and records one row per quantity:
#   quantity, cvbench, reference, difference, verdict (ok | FAIL | info | skip)
# Standalone, a check prints its own rows at the end; under scripts/validate.sh
# (which sets CVB_VALIDATE_ROWS) it appends them to the shared file instead.
#
# BUILD picks the build directory, relative to the source tree or absolute
# (default build), as for tests/run.sh: cvbench finds its matrices and guest
# kernel relative to its own binary, so each build directory is complete.

validate_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
validate_build=${BUILD:-build}
case $validate_build in
/*) ;;
*) validate_build=$validate_root/$validate_build ;;
esac
CVBENCH=$validate_build/cvbench
AGENT=$validate_build/cvb-agent

# Builds what is missing (never rebuilds what exists: a check measures the
# binaries it is given).
validate_ensure_built() {
	[ -x "$CVBENCH" ] && [ -x "$AGENT" ] && return 0
	make -s -C "$validate_root" BUILD="$validate_build" all
}

# A scratch directory removed on exit, in $VALIDATE_TMP.
validate_tmp() {
	VALIDATE_TMP=$(mktemp -d "/tmp/cvb-$1-XXXXXX")
	trap 'rm -rf "$VALIDATE_TMP"' EXIT
}

# validate_cvbench ARGS...: cvbench, its stderr (the warnings it prints
# about a loaded host even with --quiet) kept for validate_cvbench_warnings
# and shown only when it fails.
validate_cvbench() {
	local rc=0 log=$VALIDATE_TMP/cvbench-last.err
	"$CVBENCH" "$@" 2>"$log" || rc=$?
	cat "$log" >>"$VALIDATE_TMP/cvbench.err"
	[ "$rc" -eq 0 ] || cat "$log" >&2
	return "$rc"
}

# One line on what cvbench warned about during this check (other processes
# loading the host, mostly), which both sides of a comparison shared.
validate_cvbench_warnings() {
	local f=$VALIDATE_TMP/cvbench.err runs codes
	[ -s "$f" ] || return 0
	runs=$(grep -c 'warning(s) about these figures' "$f" || true)
	codes=$(grep -oE '^ +warn +[a-z_.]+' "$f" | awk '{ print $2 }' | sort -u | paste -sd, - |
		sed 's/,/, /g')
	[ "$runs" -eq 0 ] ||
		echo "cvbench warned about its figures in $runs of its runs here ($codes): other" \
			"processes were loading the host meanwhile"
}

# validate_wait_background CVBENCH_PID WATCHER_PID: waits for a cvbench run
# started in the background (its stderr into cvbench.err), then tells its
# watcher to stop (the file "stop") and waits for it to write its readings.
validate_wait_background() {
	local rc=0
	wait "$1" || rc=$?
	touch "$VALIDATE_TMP/stop"
	wait "$2"
	if [ "$rc" -ne 0 ]; then
		cat "$VALIDATE_TMP/cvbench.err" >&2
		echo "cvbench run failed (exit $rc)" >&2
		exit 2
	fi
	validate_cvbench_warnings
}

# This check's rows, one TSV line each (python parts of a check write here
# too); validate_finish hands them on.
validate_rows_file() { echo "$VALIDATE_TMP/rows.tsv"; }

# validate_row QUANTITY CVBENCH REFERENCE DIFFERENCE VERDICT
validate_row() {
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$(validate_rows_file)"
}

# validate_print_table FILE: the rows as a Markdown table (readable on a
# terminal, pasteable into the README).
validate_print_table() {
	python3 - "$1" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
head = ["quantity", "cvbench", "reference", "difference", "verdict"]
w = [max(len(r[i]) for r in rows + [head]) for i in range(5)]
line = lambda r: "| " + " | ".join(c.ljust(w[i]) for i, c in enumerate(r)) + " |"
print(line(head))
print("|" + "|".join("-" * (x + 2) for x in w) + "|")
for r in rows:
    print(line(r))
PY
}

# validate_finish: appends this check's rows to the shared file (under
# scripts/validate.sh), or prints them as a table (standalone). Exit status
# 1 if one of them failed, else 0.
validate_finish() {
	local rows
	rows=$(validate_rows_file)
	touch "$rows"
	if [ -n "${CVB_VALIDATE_ROWS:-}" ]; then
		cat "$rows" >>"$CVB_VALIDATE_ROWS"
	elif [ -s "$rows" ]; then
		echo
		validate_print_table "$rows"
	fi
	! cut -f5 "$rows" | grep -q '^FAIL'
}

# validate_skip QUANTITY REASON: a check that cannot run here says why, as a
# row, and ends successfully (a missing tool is not a wrong figure).
validate_skip() {
	echo "skipped: $2"
	validate_row "$1" "-" "-" "-" "skip ($2)"
	validate_finish
	exit 0
}
