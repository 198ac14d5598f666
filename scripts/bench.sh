#!/usr/bin/env bash
# The README's benchmark command: installs what is missing, builds, and runs
# the default benchmark on every backend available here, writing
# results/default-<time>.json. Extra arguments go to `cvbench run`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The VM backend needs them; without them its cells are skipped with the reason.
scripts/services.sh || echo "warning: libvirtd/virtlogd did not start; VM cells will be skipped" >&2
make -j"$(nproc)"
mkdir -p results
out="results/default-$(date -u +%Y%m%dT%H%M%SZ).json"
build/cvbench env
echo
# Backends this host cannot run are skipped with their reason.
exec build/cvbench run --backend native,container --workload ready,idle,audit --reps 30 --warmup 3 \
	--out "$out" "$@"
