#!/usr/bin/env bash
# The README's benchmark command: installs what is missing, builds, and runs
# the default benchmark on every backend available here, writing
# results/default-<time>.json (and default-vm-<time>.json). Extra arguments
# go to `cvbench run`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The VM backend needs them; without them its cells are skipped with the reason.
scripts/services.sh || echo "warning: libvirtd/virtlogd did not start; VM cells will be skipped" >&2
make -j"$(nproc)"
# The VM backend's guest kernel (Debian's cloud kernel, unpacked, not installed).
make guest || echo "warning: no guest kernel; VM cells will fail with the reason" >&2
mkdir -p results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
build/cvbench env
echo
# Backends this host cannot run are skipped with their reason. VMs boot in
# seconds under TCG, so they get fewer launches, in a run of their own.
status=0
build/cvbench run --backend native,container --workload ready,idle,audit --reps 30 --warmup 3 \
	--out "results/default-$stamp.json" "$@" || status=$?
build/cvbench run --backend vm --workload ready,idle,audit --reps 3 --warmup 0 \
	--out "results/default-vm-$stamp.json" "$@" || status=$?
exit $status
