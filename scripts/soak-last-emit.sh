#!/usr/bin/env bash
# The last emit without an ack before sio exits reaches the server: N runs
# in a row (default 100) of each way of ending (emit, emit --then, a
# script, a piped shell) against every server of the interop tests, each
# counted by a listener (test/e2e TestLastEmit, which the suite runs once).
#
#   scripts/soak-last-emit.sh          N=100
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_node
need_servers
need_python
N=${N:-100}
go test -count=1 -timeout 60m -run '^TestLastEmit$' -v ./test/e2e -args -soak "$N" |
  grep -E -- '--- (PASS|FAIL)|last emits|never reached|^(ok|FAIL)'
