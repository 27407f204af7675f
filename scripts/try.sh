#!/usr/bin/env bash
# Try sio on a fresh machine: builds it, starts the bundled socket.io 4.x
# server (test/servers, installed from its lockfile) on a free port, emits
# an event with an ack, and, on a terminal, opens the shell on the server.
# The server stops when this script ends.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_node
need_servers >&2
go build -o ./sio .

tmp=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
mkfifo "$tmp/in"
node test/servers/server.js --version 4 <"$tmp/in" >"$tmp/server.out" 2>&1 &
exec 3>"$tmp/in" # the server exits when this closes
for _ in $(seq 50); do grep -q port "$tmp/server.out" 2>/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$tmp/server.out")"

echo "A socket.io 4.x server listens at $url. It answers acks with their args,"
echo "emits echo-back for echo, and has an /admin namespace wanting {\"token\":\"ok\"}."
echo
echo "\$ ./sio emit $url echo hello 42 --ack -o text"
./sio emit "$url" echo hello 42 --ack -o text
if [ -t 0 ]; then
  echo
  echo "\$ ./sio $url"
  ./sio "$url"
fi
