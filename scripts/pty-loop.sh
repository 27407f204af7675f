#!/usr/bin/env bash
# The shell's pseudo-terminal tests (test/e2e: a terminal that answers the
# cursor position query, one that never does, Ctrl-D typed while a command
# runs, Ctrl-C) N times in a row, each run a go test of its own, to catch
# what fails now and then. Says how many runs failed, keeps their output,
# and exits non-zero if any did.
#
#   scripts/pty-loop.sh        N=50
#   scripts/pty-loop.sh 10     N=10
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_node
need_servers
n=${1:-50}
tests='TestReplTerminal|TestReplSilentTerminal|TestReplCtrlDMidCommand|TestReplCtrlC'
logs=$(mktemp -d)
failed=0
for i in $(seq "$n"); do
  if go test -race -count=1 -run "$tests" ./test/e2e/ >"$logs/run-$i.log" 2>&1; then
    rm "$logs/run-$i.log"
    echo "run $i/$n: ok"
  else
    failed=$((failed + 1))
    echo "run $i/$n: FAILED, output in $logs/run-$i.log"
  fi
done
echo "$failed of $n runs failed"
if [ "$failed" -gt 0 ]; then
  exit 1
fi
rmdir "$logs"
