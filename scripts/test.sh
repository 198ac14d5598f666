#!/usr/bin/env bash
# The README's test command: installs what is missing, starts the services
# the tests need, builds with -Werror and runs the unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/services.sh || echo "warning: libvirtd/virtlogd did not start; VM cells will be skipped" >&2
make -j"$(nproc)" WERROR=-Werror all unit-tests
# The VM tests boot the guest kernel 'make guest' fetches (they skip, saying
# so, without one).
make guest || echo "warning: no guest kernel; the VM tests will be skipped" >&2
exec make WERROR=-Werror check
