#!/usr/bin/env bash
# sio bench beside its peers, measured in one run against a real socket.io
# 4.x server on this machine (server and load generator share its cores):
#
#   memory   N idle WebSocket clients arriving over 10 s: sio bench and the
#            reference Node client (socket.io-client 4.x); RSS 10 s after
#            the last is in, per client as the growth from N/10 to N
#            clients (the process's own base left out)
#   cost     CLIENTS clients over a 10 s ramp, each emitting with an ack
#            every 500 ms, ROUNDS times: sio bench, Artillery 2.x with its
#            socketio engine, and bare WebSocket clients that only write
#            and read the frames, in Node and in Go (internal/benchfloor:
#            the floor of any Go client); CPU time and ack p50/p99
#   connect  CONNECT clients at once: namespace connects a second, against
#            sio serve and against the Node server
#
#   scripts/bench-load.sh                 all three
#   PARTS="memory" N=10000 scripts/bench-load.sh
#   CLIENTS=1000 ROUNDS=60 CONNECT=2000 (the defaults)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_node
need_servers
PARTS=${PARTS:-memory cost connect}
N=${N:-10000}
CLIENTS=${CLIENTS:-1000}
ROUNDS=${ROUNDS:-60}
CONNECT=${CONNECT:-2000}
command -v /usr/bin/time >/dev/null || { echo "bench-load.sh: /usr/bin/time (Debian's time package) is needed" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null; kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/sio" .
go build -o "$tmp/benchfloor" ./internal/benchfloor
sio=$tmp/sio
[ "$(ulimit -Hn)" -ge $((N + 200)) ] || { echo "bench-load.sh: N=$N needs ulimit -n of $((N + 200)) or more" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)"

mkfifo "$tmp/in"
node test/servers/server.js --version 4 <"$tmp/in" >"$tmp/server.out" 2>&1 &
exec 3>"$tmp/in" # the server exits when this closes
for _ in $(seq 50); do grep -q port "$tmp/server.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$tmp/server.out")
[ -n "$port" ] || { cat "$tmp/server.out" >&2; exit 1; }
url="http://127.0.0.1:$port"

rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; } # KiB

# sio_idle_rss N: sio bench's RSS (KiB) once N idle WebSocket clients are in.
sio_idle_rss() {
  "$sio" bench "$url" --clients "$1" --ramp 10s --transport websocket --duration 600s --yes -o json >"$tmp/idle.json" 2>"$tmp/idle.err" &
  local pid=$! rss=
  for _ in $(seq 600); do
    sleep 0.5
    # the status line is every 10s when not on a terminal; count the connects from the server's side instead
    if [ "$(ss -Htn state established "( dport = :$port )" | wc -l)" -ge "$1" ]; then sleep 10; rss=$(rss $pid); break; fi
  done
  kill -INT $pid; wait $pid || true
  echo "$rss"
}

# node_idle_rss N: the reference client's RSS (KiB) with N idle clients.
node_idle_rss() {
  mkfifo "$tmp/nin.$1"
  node test/servers/bench-load.js idle "$url" "$1" <"$tmp/nin.$1" >"$tmp/node.out" &
  local pid=$!
  exec 4>"$tmp/nin.$1"
  for _ in $(seq 1200); do grep -q connected "$tmp/node.out" 2>/dev/null && break; sleep 0.5; done
  sleep 10
  local r; r=$(rss $pid)
  exec 4>&-
  wait $pid || true
  echo "$r"
}

memory() {
  local small=$((N / 10))
  local s1 s2 n1 n2
  s1=$(sio_idle_rss "$small"); s2=$(sio_idle_rss "$N")
  n1=$(node_idle_rss "$small"); n2=$(node_idle_rss "$N")
  awk -v N="$N" -v small="$small" -v s1="$s1" -v s2="$s2" -v n1="$n1" -v n2="$n2" 'BEGIN {
    s = (s2 - s1) / (N - small); n = (n2 - n1) / (N - small)
    printf "memory: %d idle WebSocket clients against socket.io 4.x, arriving over 10 s (RSS; per client from %d to %d clients):\n", N, small, N
    printf "  sio bench              %7.0f MiB  %5.1f KiB a client  %.2fx the Node client\n", s2 / 1024, s, s / n
    printf "  socket.io-client 4.x   %7.0f MiB  %5.1f KiB a client\n", n2 / 1024, n
  }'
}

cost() {
  need_peers
  local every=500 ramp=10
  cat >"$tmp/artillery.yml" <<YML
config:
  target: "$url"
  phases:
    - duration: $ramp
      arrivalCount: $CLIENTS
  socketio:
    transports: ["websocket"]
scenarios:
  - engine: socketio
    flow:
      - loop:
          - emit:
              channel: "echo"
              data: "x"
              acknowledge:
                match:
                  json: "\$.0"
                  value: "x"
          - think: 0.5
        count: $ROUNDS
YML
  /usr/bin/time -f "%U %S" -o "$tmp/sio.time" "$sio" bench "$url" --clients "$CLIENTS" --ramp ${ramp}s --iterations "$ROUNDS" \
    --every ${every}ms --emit 'echo "x"' --ack --transport websocket -o json --yes >"$tmp/sio.json" 2>/dev/null
  /usr/bin/time -f "%U %S" -o "$tmp/art.time" scripts/peers/node_modules/.bin/artillery run --quiet \
    --output "$tmp/art.json" "$tmp/artillery.yml" >/dev/null 2>"$tmp/art.err" || { cat "$tmp/art.err" >&2; exit 1; }
  /usr/bin/time -f "%U %S" -o "$tmp/bare.time" node test/servers/bench-load.js bare "$url" "$CLIENTS" $every "$ROUNDS" $((ramp * 1000)) >"$tmp/bare.json"
  /usr/bin/time -f "%U %S" -o "$tmp/gobare.time" "$tmp/benchfloor" -url "$url" -n "$CLIENTS" -every ${every}ms -rounds "$ROUNDS" -ramp ${ramp}s >"$tmp/gobare.json"
  node -e '
    const fs = require("fs");
    const [dir, clients, rounds] = process.argv.slice(1);
    const cpu = (f) => fs.readFileSync(dir + "/" + f, "utf8").trim().split(/\s+/).map(Number).reduce((a, b) => a + b, 0);
    const sio = JSON.parse(fs.readFileSync(dir + "/sio.json"));
    const art = JSON.parse(fs.readFileSync(dir + "/art.json")).aggregate;
    const bare = JSON.parse(fs.readFileSync(dir + "/bare.json"));
    const ah = art.summaries["socketio.response_time"];
    const aerr = Object.entries(art.counters).filter(([k]) => k.startsWith("errors.")).reduce((a, [, v]) => a + v, 0);
    const s = { cpu: cpu("sio.time"), p50: sio.histograms.ack.p50, p99: sio.histograms.ack.p99, n: sio.counters.acks, err: sio.counters.errors };
    const a = { cpu: cpu("art.time"), p50: ah.median, p99: ah.p99, n: ah.count, err: aerr };
    const b = { cpu: cpu("bare.time"), p50: bare.p50_ms, p99: bare.p99_ms, n: bare.n, err: 0 };
    const gobare = JSON.parse(fs.readFileSync(dir + "/gobare.json"));
    const g = { cpu: cpu("gobare.time"), p50: gobare.p50_ms, p99: gobare.p99_ms, n: gobare.n, err: 0 };
    console.log(`cost: ${clients} clients, each an emit with an ack every 500 ms, ${rounds} times (10 s ramp; CPU time of the load generator):`);
    const line = (name, r, extra) => console.log(`  ${name.padEnd(22)} CPU ${r.cpu.toFixed(1).padStart(6)} s  ack p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms  ${r.n} acks, ${r.err} errors${extra}`);
    line("sio bench", s, `  CPU ${(s.cpu / a.cpu).toFixed(2)}x Artillery, ${(s.cpu / g.cpu).toFixed(2)}x the Go floor; p50 ${(s.p50 / g.p50).toFixed(2)}x the Go floor`);
    line("Artillery 2 socketio", a, "");
    line("bare WebSocket, Node", b, "");
    line("bare WebSocket, Go", g, `  CPU ${(g.cpu / a.cpu).toFixed(2)}x Artillery`);
  ' "$tmp" "$CLIENTS" "$ROUNDS"
}

# connect_rate URL: namespace connects a second for CONNECT clients at once.
connect_rate() {
  "$sio" bench "$1" --clients "$CONNECT" --iterations 1 --emit 'echo 1' --transport websocket --yes -o json >"$tmp/c.json" 2>/dev/null
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1]));
    const c = r.histograms.connect;
    console.log(`${(c.count / (c.max / 1000)).toFixed(0)} ${c.count} ${c.p50} ${c.max}`);
  ' "$tmp/c.json"
}

connect() {
  "$sio" serve --port 0 --echo >/dev/null 2>"$tmp/serve.err" &
  local serve=$!
  for _ in $(seq 50); do grep -q listening "$tmp/serve.err" 2>/dev/null && break; sleep 0.1; done
  local surl; surl=$(sed -n 's/.*listening on \(http:\/\/[0-9.:]*\).*/\1/p' "$tmp/serve.err")
  read -r sr sn sp sm <<<"$(connect_rate "$surl")"
  kill $serve; wait $serve 2>/dev/null || true
  read -r nr nn np nm <<<"$(connect_rate "$url")"
  echo "connect: $CONNECT clients at once over WebSocket, namespace connects a second (all connected / the slowest's time):"
  printf "  sio serve             %7s /s  (%s connected, p50 %s ms, slowest %s ms)\n" "$sr" "$sn" "$sp" "$sm"
  printf "  socket.io 4.x (Node)  %7s /s  (%s connected, p50 %s ms, slowest %s ms)\n" "$nr" "$nn" "$np" "$nm"
}

for part in $PARTS; do
  case $part in
    memory | cost | connect) "$part" ;;
    *) echo "bench-load.sh: no part $part (memory, cost, connect)" >&2; exit 2 ;;
  esac
done
