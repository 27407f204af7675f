#!/usr/bin/env bash
# Regenerates the man pages in docs/man from the commands' definitions
# (cobra's doc package). The test suite fails when they are stale.
#
#   scripts/gen-man.sh
#   man -l docs/man/sio-emit.1
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf docs/man
go run ./internal/gendocs docs/man
echo "docs/man/: $(ls docs/man | wc -l) pages" >&2
