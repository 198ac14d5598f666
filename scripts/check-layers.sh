#!/usr/bin/env bash
# Proves that the build enforces the layers (README "Layout"): for each
# layer, a header of a higher layer must not be found with that layer's
# include paths (the Makefile's INC_<layer>), and a header of its own or a
# lower layer must be. Prints one line per check; exits 1 if any fails.
set -uo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-cc}
flags=$(make -s print-CVB_CFLAGS)
fails=0
# tries LAYER HEADER: whether a file of LAYER that includes HEADER compiles
tries() {
	local inc
	inc=$(make -s "print-INC_$1")
	# shellcheck disable=SC2086 # several flags
	echo "#include \"$2\"" | $CC $flags $inc -fsyntax-only -x c - 2>/dev/null
}
expect() { # LAYER HEADER yes|no
	local got=no
	tries "$1" "$2" && got=yes
	if [ "$got" = "$3" ]; then
		echo "ok    $1 $([ "$3" = yes ] && echo can || echo cannot) include $2"
	else
		echo "FAIL  $1 $([ "$3" = yes ] && echo should || echo should not) find $2" >&2
		fails=$((fails + 1))
	fi
}
# layer  a header it may use   a header above it
while read -r layer own above; do
	expect "$layer" "$own" yes
	for h in ${above//,/ }; do expect "$layer" "$h" no; done
done <<'ROWS'
lib       cvb_error.h     hostfacts.h,backend.h,plan.h
host      hostfacts.h     backend.h,plan.h,runner.h
backends  cgroup_layout.h plan.h,runner.h,stats.h,workload.h
workloads workload.h      cvb_error.h,backend.h,plan.h
stats     stats.h         plan.h,hostfacts.h,backend.h
plan      plan.h          runner.h,results_json.h
run       runner.h        results_json.h,report_doc.h
record    results_json.h  report_doc.h,session.h,commands.h
report    report_doc.h    session.h,commands.h
session   session.h       commands.h
cli       commands.h
ROWS
# Within a layer too, no two modules (a .c and its .h) include each other,
# directly or round a circle.
if ! circles=$(python3 - <<'PY'
import glob, os, re, sys
files = [f for d in ("lib", "host", "harness/*", "backends", "workloads") for f in glob.glob(d + "/*.[ch]")]
mod = lambda f: os.path.splitext(os.path.basename(f))[0]
names = {mod(f) for f in files}
graph = {}
for f in files:
    for inc in re.findall(r'#include "([^"]+)\.h"', open(f).read()):
        if inc in names and inc != mod(f):
            graph.setdefault(mod(f), set()).add(inc)
def reaches(a, b, seen):
    return any(n == b or (n not in seen and not seen.add(n) and reaches(n, b, seen)) for n in graph.get(a, ()))
bad = sorted({" <-> ".join(sorted((a, b))) for a in graph for b in graph[a] if reaches(b, a, set())})
print("; ".join(bad))
sys.exit(1 if bad else 0)
PY
); then
	echo "FAIL  include circles: $circles" >&2
	fails=$((fails + 1))
else
	echo "ok    no include circles between modules"
fi
[ "$fails" -eq 0 ] || { echo "check-layers: $fails failed" >&2; exit 1; }
echo "check-layers: every layer sees only itself and the layers below, no include circles"
