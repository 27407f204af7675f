#!/usr/bin/env bash
# Whole-process time of a one-shot emit with an ack against a local
# socket.io 4.x server, side by side in one run: `sio emit URL echo hi
# --ack` and the reference Node client (socket.io-client 4.x) doing the
# same job. Reports the median wall time of N runs of each, alternating.
#
#   scripts/bench-emit.sh          N=30
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_node
need_servers
N=${N:-30}

tmp=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/sio" .
start_node_server "$tmp"

# ms runs a command and prints its wall time in milliseconds.
ms() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for _ in $(seq "$N"); do
  ms "$tmp/sio" emit "$url" echo hi --ack >>"$tmp/sio.us"
  ms node test/servers/emit-once.js "$url" >>"$tmp/node.us"
done
s=$(median <"$tmp/sio.us"); n=$(median <"$tmp/node.us")
awk -v s="$s" -v n="$n" -v N="$N" 'BEGIN {
  printf "one-shot emit with ack, whole process, median of %d runs:\n", N
  printf "  sio emit             %7.1f ms  %.3fx the Node client\n", s / 1000, s / n
  printf "  socket.io-client 4.x %7.1f ms\n", n / 1000
}'
