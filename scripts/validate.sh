#!/usr/bin/env bash
# Runs every cross-check of cvbench's figures against an independent
# reference measured the same way, one after the other (they would disturb
# each other side by side), and prints one table: quantity, cvbench,
# reference, difference, verdict. Each check's own output, which explains
# its definitions and what still differs, comes first.
#   validate-syscall.sh    getppid, mean of 5M calls: agent (calls=N) vs perf bench syscall basic
#   validate-startup.sh    native spawn -> exit p50: cvbench's 'exited' phase vs hyperfine -N
#   validate-memory.sh     idle PSS, native and container: cvbench vs smaps_rollup of its processes
#   validate-cpu-quota.sh  container cpu-hog under --cpu-quota 20: share vs the quota and vs the
#                          cgroup's CPU counter over the same window
#   validate-vm-memory.sh  QEMU PSS, guest RAM part and QEMU's own: cvbench vs QEMU's smaps
# Exit status: 0 when no row failed (skipped checks say why), 1 otherwise.
# Usage: scripts/validate.sh [CHECK...]   (e.g. syscall memory; BUILD=dir: build)
set -euo pipefail
# shellcheck source=scripts/validate-lib.sh
source "$(dirname "$0")/validate-lib.sh"
checks=("$@")
[ ${#checks[@]} -gt 0 ] || checks=(syscall startup memory cpu-quota vm-memory)
validate_ensure_built
validate_tmp validate
export CVB_VALIDATE_ROWS=$VALIDATE_TMP/all.tsv
: >"$CVB_VALIDATE_ROWS"

# run_check NAME: its output indented under a heading. A check that ends
# badly without a failed row of its own (it broke before any figure) gets
# one, so that it cannot pass unnoticed.
run_check() {
	local name=$1 t0 rc fails_before
	t0=$(date +%s)
	fails_before=$(count_failed)
	echo "== $name"
	set +e
	bash "$validate_root/scripts/validate-$name.sh" 2>&1 | sed 's/^/   /'
	rc=${PIPESTATUS[0]}
	set -e
	echo "   ($(($(date +%s) - t0)) s, exit $rc)"
	if [ "$rc" -ne 0 ] && [ "$(count_failed)" -eq "$fails_before" ]; then
		printf '%s\t-\t-\t-\tFAIL (the check broke: exit %s)\n' "$name" "$rc" \
			>>"$CVB_VALIDATE_ROWS"
	fi
}

count_failed() { cut -f5 "$CVB_VALIDATE_ROWS" | grep -c '^FAIL' || true; }

t_start=$(date +%s)
for c in "${checks[@]}"; do
	[ -f "$validate_root/scripts/validate-$c.sh" ] || { echo "no check '$c'" >&2; exit 2; }
	run_check "$c"
done
echo
validate_print_table "$CVB_VALIDATE_ROWS"
failed=$(count_failed)
echo
echo "$(wc -l <"$CVB_VALIDATE_ROWS") rows, $failed failed, in $(($(date +%s) - t_start)) s" \
	"(build $validate_build, $(uname -r), $(nproc) CPUs)"
[ "$failed" -eq 0 ]
