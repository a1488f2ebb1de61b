#!/usr/bin/env bash
# Docs from data: every number in a checked table of docs/*.md against the committed rows under
# bench/results/ it comes from (no training: archives are unpacked into a temporary directory and
# read by graphsqueeze-cli paired/merge and the bench scripts). A table is checked when a
# `<!-- check-docs ... -->` comment precedes it (scripts/check_docs.py says how to write one).
# Needs a built graphsqueeze-cli (scripts/build.sh). .ci/run calls it after the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/check_docs.py --mutate --cli "${GSQ_BUILD_DIR:-build}/graphsqueeze-cli" "$@" docs/*.md
