#!/usr/bin/env bash
# Throughput of `sio listen -o json > /dev/null` beside the reference Node
# client (socket.io-client 4.x) that only counts the events, in one run,
# against internal/benchserver: a server that writes one pre-encoded event
# frame as fast as it can, so that the clients are what is measured. Both
# receive N events over WebSocket; rates are events over whole-process
# wall time for sio (connection included) and from connect to the last
# event for Node. Rounds alternate; medians are reported.
#
#   scripts/bench-listen.sh            N=1000000, 3 rounds
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_node
need_servers
N=${N:-1000000}
ROUNDS=${ROUNDS:-3}

tmp=$(mktemp -d)
trap 'kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/sio" .
go build -o "$tmp/benchserver" ./internal/benchserver
"$tmp/benchserver" -n "$N" >"$tmp/server.out" 2>&1 &
server=$!
for _ in $(seq 50); do grep -q port "$tmp/server.out" 2>/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$tmp/server.out")"

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for r in $(seq "$ROUNDS"); do
  t0=$(date +%s%N)
  "$tmp/sio" listen "$url" --transport websocket -o json --no-lifecycle --count "$N" >/dev/null
  t1=$(date +%s%N)
  echo "$N $t0 $t1" | awk '{printf "%d\n", $1 / (($3 - $2) / 1e9)}' >>"$tmp/sio.rate"
  node test/servers/count-events.js "$url" "$N" | sed -n 's/.*"rate":\([0-9]*\).*/\1/p' >>"$tmp/node.rate"
  echo "round $r: sio $(tail -1 "$tmp/sio.rate") events/s, node $(tail -1 "$tmp/node.rate") events/s" >&2
done
s=$(median <"$tmp/sio.rate"); n=$(median <"$tmp/node.rate")
awk -v s="$s" -v n="$n" -v N="$N" -v R="$ROUNDS" 'BEGIN {
  printf "events received over WebSocket, %d a round, median of %d rounds:\n", N, R
  printf "  sio listen -o json (printing) %9d events/s  %.2fx the Node client\n", s, s / n
  printf "  socket.io-client 4.x (counting) %7d events/s\n", n
}'
