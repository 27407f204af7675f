#!/usr/bin/env bash
# Peak memory (max RSS) and time of one sio command against each mode of
# the hostile server (internal/testserver/hostile.go), beside the same
# command against a server that behaves (sio serve --echo), in one run.
# What sio reads is bounded by its limits (100 MiB a response or message,
# 1 MiB a handshake), so the peak stays within a small multiple of the
# largest message it accepts, whatever the server sends: tiny-flood's
# polls here are 100 MB of fifty million noops each.
#
#   scripts/bench-hostile.sh           every mode
#   scripts/bench-hostile.sh MODE...   some
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: sudo apt-get install -y time" >&2; exit 1; }

tmp=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/sio" .
go build -o "$tmp/hostile" ./test/hostile

# start CMD... : runs a server that prints its URL first, and sets $url.
start() {
  "$@" >"$tmp/url" 2>&1 </dev/null &
  pids+=($!)
  for _ in $(seq 50); do [ -s "$tmp/url" ] && break; sleep 0.1; done
  url=$(grep -o 'http://[0-9.:]*' "$tmp/url" | head -1)
  : >"$tmp/url"
}

# measure NAME CMD... : one line of the table.
measure() {
  local name=$1 t0 t1 code
  shift
  t0=$(date +%s%N)
  set +e
  /usr/bin/time -f '%M' -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/err"
  code=$?
  set -e
  t1=$(date +%s%N)
  # The cause goes through the environment: awk -v would turn sio's
  # visible escapes back into control characters.
  CAUSE=$(grep '^sio:' "$tmp/err" | head -1 | cut -c1-90) awk -v n="$name" -v c="$code" -v kb="$(tail -1 "$tmp/rss")" -v t0="$t0" -v t1="$t1" \
    'BEGIN { printf "%-20s %4d %7.2f %8.1f  %s\n", n, c, (t1 - t0) / 1e9, kb / 1024, ENVIRON["CAUSE"] }'
}

modes=("$@")
if [ ${#modes[@]} -eq 0 ]; then
  modes=(garbage-handshake html-handshake endless-handshake trickle-handshake huge-handshake absurd-heartbeat
    garbage-after tiny-flood endless-poll trickle-poll stall deep-json escapes escape-refusal invalid-utf8
    huge-attachments websocket-garbage websocket-oversized)
fi
emit=(echo 1 --ack --timeout 3s --connect-timeout 3s)
printf '%-20s %4s %7s %8s  %s\n' mode exit seconds "RSS MiB" "sio's first line on stderr"
start "$tmp/sio" serve --port 0 --echo
measure "(sio serve --echo)" "$tmp/sio" emit "$url" "${emit[@]}"
kill "${pids[-1]}"
for m in "${modes[@]}"; do
  # Floods as large as the read limit: 100 MB polls of noops.
  start "$tmp/hostile" -mode "$m" -flood 50000000
  case $m in
  websocket-*) measure "$m" "$tmp/sio" emit "$url" "${emit[@]}" --transport websocket ;;
  deep-json | escapes | invalid-utf8 | huge-attachments) measure "$m" "$tmp/sio" listen "$url" --no-reconnect --duration 2s -o json ;;
  *) measure "$m" "$tmp/sio" emit "$url" "${emit[@]}" --transport polling ;;
  esac
  kill "${pids[-1]}"
done
