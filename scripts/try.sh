#!/usr/bin/env bash
# Try sio on a fresh machine with nothing but Go: builds sio, starts its
# built-in server (sio serve) on a free port, emits an event with an ack
# against it, shows what the server saw, and, on a terminal, opens the
# shell on it. The server stops when this script ends.
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o ./sio .

tmp=$(mktemp -d)
./sio serve --port 0 --echo -o text </dev/null >"$tmp/server.log" 2>"$tmp/server.err" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$tmp"' EXIT
url=
for _ in $(seq 100); do
  url=$(sed -n 's|.*listening on \(http://[0-9.:]*\)/.*|\1|p' "$tmp/server.err")
  [ -n "$url" ] && break
  kill -0 $server 2>/dev/null || { cat "$tmp/server.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "sio serve did not start:" >&2; cat "$tmp/server.err" >&2; exit 1; }

echo "\$ ./sio serve --echo &"
echo "sio serve listens at $url: it answers every ack with the event's own"
echo "args, sends every event back to its sender, and prints what it sees."
echo
echo "\$ ./sio emit $url hello world 42 --ack -o text"
./sio emit "$url" hello world 42 --ack -o text
for _ in $(seq 20); do grep -q "● close" "$tmp/server.log" && break; sleep 0.1; done
echo
echo "What sio serve printed meanwhile:"
sed 's/^/  /' "$tmp/server.log"
if [ -t 0 ]; then
  echo
  echo "\$ ./sio $url    # the shell: try 'emit hello world --ack', 'help', Ctrl-D to leave"
  ./sio "$url"
fi
