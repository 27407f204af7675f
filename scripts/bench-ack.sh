#!/usr/bin/env bash
# Sequential emit-with-ack round trips against a real socket.io 4.x server,
# measured side by side in one run: sio (pkg/sioclient), the reference Node
# client (socket.io-client 4.x), and a bare WebSocket client that only
# writes and reads the frames (the floor: the server's and the kernel's
# time), and the same bare client reading on a goroutine of its own (the
# floor of any client that hears the server at any time). The server and every client are pinned to one core, as in the
# figures the README gives. Rounds alternate the clients; the medians of
# the rounds' p50s are reported with their ratios.
#
#   scripts/bench-ack.sh            N=5000 round trips, 3 rounds
#   N=20000 ROUNDS=5 scripts/bench-ack.sh
#   CORE=none scripts/bench-ack.sh  nothing pinned: the server and the
#                                   client on different cores, as across a network
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_node
need_servers
N=${N:-5000}
ROUNDS=${ROUNDS:-3}
CORE=${CORE:-0}
pin=(taskset -c "$CORE")
if [ "$CORE" = none ]; then
  pin=()
else
  command -v taskset >/dev/null || { echo "bench-ack.sh: taskset (util-linux) is needed" >&2; exit 1; }
fi

tmp=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
go test -c -o "$tmp/sioclient.test" ./pkg/sioclient

mkfifo "$tmp/in"
${pin[@]+"${pin[@]}"} node test/servers/server.js --version 4 <"$tmp/in" >"$tmp/server.out" 2>&1 &
exec 3>"$tmp/in" # the server exits when this closes
for _ in $(seq 50); do grep -q port "$tmp/server.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$tmp/server.out")
[ -n "$port" ] || { cat "$tmp/server.out" >&2; exit 1; }
url="http://127.0.0.1:$port"

gobench() {
  SIO_BENCH_URL=$url ${pin[@]+"${pin[@]}"} "$tmp/sioclient.test" -test.run '^$' -test.bench "^$1\$" -test.benchtime "${N}x" |
    sed -n 's/.* \([0-9.]*\) cpu-µs\/op.* \([0-9.]*\) p50-µs.*/\2 \1/p'
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: >"$tmp/sio"; : >"$tmp/node"; : >"$tmp/floor"; : >"$tmp/reader"
for r in $(seq "$ROUNDS"); do
  gobench BenchmarkEmitWithAck >>"$tmp/sio"
  ${pin[@]+"${pin[@]}"} node test/servers/bench-ack.js "$url" "$N" | sed -n 's/.*"p50_us":\([0-9.]*\).*"cpu_us":\([0-9.]*\).*/\1 \2/p' >>"$tmp/node"
  gobench BenchmarkWebSocketFloor >>"$tmp/floor"
  gobench BenchmarkWebSocketReaderFloor >>"$tmp/reader"
  echo "round $r: sio $(tail -1 "$tmp/sio" | cut -d' ' -f1) µs, node $(tail -1 "$tmp/node" | cut -d' ' -f1) µs, floor $(tail -1 "$tmp/floor" | cut -d' ' -f1) µs, reader floor $(tail -1 "$tmp/reader" | cut -d' ' -f1) µs" >&2
done
p50() { cut -d' ' -f1 <"$1" | median; }
cpu() { cut -d' ' -f2 <"$1" | median; }
where="one core"
[ "$CORE" = none ] && where="unpinned"
awk -v P="$where" -v s="$(p50 "$tmp/sio")" -v n="$(p50 "$tmp/node")" -v f="$(p50 "$tmp/floor")" \
    -v sc="$(cpu "$tmp/sio")" -v nc="$(cpu "$tmp/node")" -v fc="$(cpu "$tmp/floor")" -v N="$N" -v R="$ROUNDS" \
    -v g="$(p50 "$tmp/reader")" -v gc="$(cpu "$tmp/reader")" 'BEGIN {
  printf "emit-with-ack over %d round trips, medians of %d rounds, %s (p50; client CPU time a round trip):\n", N, R, P
  printf "  sio                  %7.1f µs  %.2fx the floor  %.2fx the Node client   CPU %5.1f µs\n", s, s / f, s / n, sc
  printf "  socket.io-client 4.x %7.1f µs  %.2fx the floor                          CPU %5.1f µs\n", n, n / f, nc
  printf "  bare WebSocket floor %7.1f µs                                         CPU %5.1f µs\n", f, fc
  printf "  bare, reading apart  %7.1f µs  %.2fx the floor                          CPU %5.1f µs\n", g, g / f, gc
  printf "  sio over the bare client reading apart: %.2fx\n", s / g
}'
