#!/usr/bin/env bash
# The README's benchmark command: installs what is missing, builds, and runs
# the default benchmark (matrices/default.json: native, container and VM;
# about 4 to 5 minutes on a 2-CPU host whose VMs run under TCG) into
# results/default-<time>/: results.json, plots/ and report.md/.html.
# Extra arguments go to `cvbench run` (e.g. --matrix matrices/quick.json).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The VM backend needs them; without them its cells are skipped with the reason.
scripts/services.sh || echo "warning: libvirtd/virtlogd did not start; VM cells will be skipped" >&2
make -j"$(nproc)"
# The VM backend's guest kernel (Debian's cloud kernel, unpacked, not installed).
make guest || echo "warning: no guest kernel; VM cells will fail with the reason" >&2
dir="results/default-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$dir"
# Is this host fit to measure? (The run checks the same, briefly, and stops
# on a failure; its warnings go into the results and the report.)
build/cvbench doctor || true
echo
# Backends this host cannot run are skipped with their reason, in the report.
exec build/cvbench run --out "$dir/results.json" "$@"
