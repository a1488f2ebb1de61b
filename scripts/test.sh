#!/usr/bin/env bash
# One command from a fresh Debian 12 machine: install dependencies, build, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
cd "${GSQ_BUILD_DIR:-build}"
ctest --output-on-failure -j2
