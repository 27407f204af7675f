#!/usr/bin/env bash
# The round trips sio reports with the default transports (polling, then
# the upgrade to WebSocket), beside the reference client's, against a
# local socket.io 4.x server, in one run:
#
#  1. N one-shot emits with an ack, alternating `sio emit URL echo hi
#     --ack` and the reference Node client (socket.io-client 4.x) doing the
#     same: the p50, p90 and p99 of the rtt_ms each reports, and sio's
#     over the Node client's.
#  2. `sio bench URL -c 50 --emit 'echo 1' --ack --every 500ms` (ROUNDS
#     emits each) with the default transports and with --transport
#     websocket, and 50 reference clients doing the same: the ack p99 of
#     each and the default's over WebSocket-only's; and the p99 of the
#     time sio held an emit before sending it (the upgrade's switch),
#     which sio's ack figures leave out.
#
#   scripts/bench-rtt.sh              N=50, ROUNDS=20
#   N=100 ROUNDS=60 scripts/bench-rtt.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_node
need_servers
N=${N:-50}
ROUNDS=${ROUNDS:-20}

tmp=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/sio" .
start_node_server "$tmp"

rtt() { sed -n 's/.*"rtt_ms":\([0-9.e+-]*\).*/\1/p'; }
# pct P prints the P-th percentile (nearest rank) of the numbers on stdin.
pct() { sort -g | awk -v p="$1" '{a[NR]=$1} END {i=int(p*NR/100); if (i<p*NR/100) i++; if (i<1) i=1; print a[i]}'; }

for _ in $(seq "$N"); do
  "$tmp/sio" emit "$url" echo hi --ack -o json | rtt >>"$tmp/sio.ms"
  node test/servers/emit-once.js "$url" | rtt >>"$tmp/node.ms"
done
echo "one-shot emit with an ack, default transports, rtt_ms over $N runs each:"
printf '  %-22s %9s %9s %9s\n' "" p50 p90 p99
for p in 50 90 99; do
  eval "s$p=\$(pct $p <\"$tmp/sio.ms\")"
  eval "n$p=\$(pct $p <\"$tmp/node.ms\")"
done
printf '  %-22s %9.3f %9.3f %9.3f\n' "sio emit" "$s50" "$s90" "$s99"
printf '  %-22s %9.3f %9.3f %9.3f\n' "socket.io-client 4.x" "$n50" "$n90" "$n99"
awk -v a="$s50" -v b="$s90" -v c="$s99" -v x="$n50" -v y="$n90" -v z="$n99" \
  'BEGIN {printf "  %-22s %8.2fx %8.2fx %8.2fx\n", "sio / Node", a/x, b/y, c/z}'

# stat H S prints statistic S of histogram H of the JSON report on stdin.
stat() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const h=JSON.parse(s).histograms[process.argv[1]]||{};console.log(h[process.argv[2]]??0)})' "$1" "$2"; }
bench() { "$tmp/sio" bench "$url" -c 50 --emit 'echo 1' --ack --every 500ms --iterations "$ROUNDS" -o json "$@" 2>/dev/null; }
peer() { node test/servers/bench-load.js acks "$url" 50 500 "$ROUNDS" "$@" | sed -n 's/.*"p99_ms":\([0-9.e+-]*\).*/\1/p'; }
bench >"$tmp/default.json"
bench --transport websocket >"$tmp/ws.json"
d99=$(stat ack p99 <"$tmp/default.json"); w99=$(stat ack p99 <"$tmp/ws.json")
h99=$(stat held p99 <"$tmp/default.json"); hmax=$(stat held max <"$tmp/default.json")
nd99=$(peer); nw99=$(peer websocket)
echo
echo "50 clients, 'echo' with an ack every 500 ms, $ROUNDS each, all starting at once; ack p99 (ms):"
printf '  %-22s %9s %9s %9s\n' "" default websocket ratio
awk -v a="$d99" -v b="$w99" 'BEGIN {printf "  %-22s %9.3f %9.3f %8.2fx\n", "sio bench", a, b, a/b}'
awk -v a="$nd99" -v b="$nw99" 'BEGIN {printf "  %-22s %9.3f %9.3f %8.2fx\n", "socket.io-client 4.x", a, b, a/b}'
printf '  sio held emits before sending them: p99 %.3f ms, max %.3f ms (not in its acks)\n' "$h99" "$hmax"
