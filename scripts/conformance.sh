#!/usr/bin/env bash
# Runs Socket.IO's official protocol test suites against sio serve
# --conformance, from a directory you give: a checkout of the socket.io
# repository, whose docs/ hold them (engine.io-protocol/v4-test-suite and
# v3-test-suite, socket.io-protocol/v5-test-suite), or any directory that
# holds copies of those folders. This script fetches no suite. In each
# suite's folder it installs the suite's own devDependencies (mocha, chai,
# ws, node-fetch) with npm when they are missing, then runs the suite RUNS
# times (default 1) against a fresh sio serve, and says how many runs
# passed whole; it exits non-zero if any run failed.
#
# The suites hard-code localhost:3000. Run as root where unshare is found,
# each suite runs in a network namespace of its own, whatever else holds
# port 3000; otherwise the port must be free.
#
#   scripts/conformance.sh ~/src/socket.io
#   RUNS=50 scripts/conformance.sh ~/src/socket.io
set -euo pipefail

# One suite: scripts/conformance.sh --suite SIO DIR RUNS OUT [serve flags].
if [ "${1:-}" = --suite ]; then
  sio=$2 dir=$3 runs=$4 out=$5
  shift 5
  ip link set lo up 2>/dev/null || true # in a new network namespace, lo starts down
  "$sio" serve --port 3000 -o json "$@" </dev/null >"$out/serve.log" 2>"$out/serve.err" &
  server=$!
  trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT
  for _ in $(seq 100); do
    grep -q listening "$out/serve.err" && break
    kill -0 $server 2>/dev/null || { cat "$out/serve.err" >&2; exit 1; }
    sleep 0.1
  done
  whole=0
  for i in $(seq "$runs"); do
    ok=true
    (cd "$dir" && node_modules/.bin/mocha test-suite.js) >"$out/run-$i.txt" 2>&1 || ok=false
    counts=$(grep -oE '[0-9]+ (passing|failing|pending)' "$out/run-$i.txt" | paste -sd, - | sed 's/,/, /g')
    if $ok; then
      whole=$((whole + 1))
      rm "$out/run-$i.txt"
    else
      echo "  run $i: ${counts:-no result} (see $out/run-$i.txt)"
    fi
  done
  echo "  $whole of $runs runs passed whole (the last: ${counts:-no result})"
  [ "$whole" = "$runs" ]
  exit
fi

root=${1:?usage: scripts/conformance.sh DIR (a socket.io checkout, or copies of its test-suite folders)}
root=$(cd "$root" && pwd)
runs=${RUNS:-1}
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_node
tmp=$(mktemp -d)
go build -o "$tmp/sio" .

isolate=()
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 && unshare --net true 2>/dev/null; then
  isolate=(unshare --net)
fi

failed=0
found=0
for suite in engine.io-protocol/v4-test-suite engine.io-protocol/v3-test-suite socket.io-protocol/v5-test-suite; do
  name=${suite##*/}
  dir=$(find "$root" -maxdepth 4 -type d -name "$name" -not -path '*/node_modules/*' | head -1)
  [ -n "$dir" ] && [ -f "$dir/test-suite.js" ] || continue
  found=$((found + 1))
  case $suite in
    engine.io-protocol/v4-*) flags=(--conformance engine.io) ;;
    engine.io-protocol/v3-*) flags=(--conformance engine.io --eio 3) ;;
    socket.io-protocol/*) flags=(--conformance socket.io) ;;
  esac
  if [ ! -x "$dir/node_modules/.bin/mocha" ]; then
    echo "installing the suite's devDependencies in $dir" >&2
    (cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error)
  fi
  mkdir -p "$tmp/$name"
  echo "$suite ($dir), sio serve ${flags[*]}:"
  "${isolate[@]}" "$0" --suite "$tmp/sio" "$dir" "$runs" "$tmp/$name" "${flags[@]}" || failed=1
done
if [ "$found" = 0 ]; then
  echo "no test suite under $root (looked for v4-test-suite, v3-test-suite and v5-test-suite folders)" >&2
  exit 1
fi
if [ "$failed" = 0 ]; then
  rm -rf "$tmp"
else
  echo "the failed runs' output is in $tmp" >&2
fi
exit "$failed"
