// Sequential emit-with-ack round trips with the reference client
// (socket.io-client 4.x), for scripts/bench-ack.sh.
//
//   node bench-ack.js URL N
//
// Connects with the default transports, waits for the upgrade to
// WebSocket, warms up, then times N round trips of emit("echo", "x", ack)
// one after another, and prints {"p50_us":…,"p90_us":…,"p99_us":…,"cpu_us":…,"n":N}
// (cpu_us: the process's CPU time per round trip).
'use strict';

const { io } = require('socket.io-client-v4');

const url = process.argv[2];
const n = Number(process.argv[3] || 5000);
const warmup = 1000;

const socket = io(url, { reconnection: false });

function roundTrip() {
  return new Promise((resolve) => socket.emit('echo', 'x', () => resolve()));
}

socket.on('connect', () => {
  const run = async () => {
    for (let i = 0; i < warmup; i++) await roundTrip();
    const times = new Float64Array(n);
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      await roundTrip();
      times[i] = Number(process.hrtime.bigint() - t0) / 1000;
    }
    const cpu = process.cpuUsage(cpu0);
    times.sort();
    const q = (p) => times[Math.min(n - 1, Math.floor(p * n))];
    console.log(JSON.stringify({ p50_us: q(0.5), p90_us: q(0.9), p99_us: q(0.99), cpu_us: (cpu.user + cpu.system) / n, n, transport: socket.io.engine.transport.name }));
    socket.close();
  };
  if (socket.io.engine.transport.name === 'websocket') run();
  else socket.io.engine.once('upgrade', run);
});
socket.on('connect_error', (err) => {
  console.error('connect_error', err.message);
  process.exit(1);
});
