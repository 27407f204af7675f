// The peers of sio bench in scripts/bench-load.sh.
//
//   node bench-load.js idle URL N
//     N reference clients (socket.io-client 4.x, WebSocket only, each its
//     own Engine.IO session) arrive over 10 s and stay; prints
//     {"connected":N} once all are in, then waits for standard input to
//     close.
//   node bench-load.js bare URL N EVERY_MS ROUNDS RAMP_MS
//     N bare WebSocket clients that speak the frames and nothing else (the
//     floor): each emits "echo" with an ack every EVERY_MS, ROUNDS times,
//     arriving over RAMP_MS; prints the acks' {"n","p50_ms","p99_ms"}.
//   node bench-load.js acks URL N EVERY_MS ROUNDS [TRANSPORTS]
//     N reference clients, all at once, each its own Engine.IO session
//     with TRANSPORTS (default polling,websocket): each emits "echo" with
//     an ack every EVERY_MS, ROUNDS times; prints the same figures (for
//     scripts/bench-rtt.sh).
'use strict';

const [mode, url, nArg, everyArg, roundsArg, rampArg] = process.argv.slice(2);
const n = Number(nArg);

if (mode === 'idle') {
  const { io } = require('socket.io-client-v4');
  let connected = 0;
  const client = () => {
    const s = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    s.on('connect', () => {
      if (++connected === n) console.log(JSON.stringify({ connected }));
    });
    s.on('connect_error', (err) => {
      console.error('connect_error', err.message);
      process.exit(1);
    });
  };
  for (let i = 0; i < n; i++) setTimeout(client, (10000 * i) / n);
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
} else if (mode === 'acks') {
  const { io } = require('socket.io-client-v4');
  const every = Number(everyArg);
  const rounds = Number(roundsArg);
  const transports = (rampArg || 'polling,websocket').split(',');
  const times = [];
  let finished = 0;
  for (let i = 0; i < n; i++) {
    const s = io(url, { transports, forceNew: true, reconnection: false });
    s.on('connect', () => {
      let k = 0;
      const emit = () => {
        const t0 = process.hrtime.bigint();
        s.emit('echo', 'x', () => {
          times.push(Number(process.hrtime.bigint() - t0) / 1e6);
          if (++k < rounds) setTimeout(emit, every);
          else if (++finished === n) reportAcks(times);
        });
      };
      emit();
    });
    s.on('connect_error', (err) => {
      console.error('connect_error', err.message);
      process.exit(1);
    });
  }
} else if (mode === 'bare') {
  const WebSocket = require('ws');
  const every = Number(everyArg);
  const rounds = Number(roundsArg);
  const ramp = Number(rampArg);
  const times = [];
  let finished = 0;
  const wsURL = url.replace(/^http/, 'ws') + '/socket.io/?EIO=4&transport=websocket';
  const client = () => {
    const ws = new WebSocket(wsURL);
    let id = 0;
    let sent = 0;
    let done = 0;
    const started = new Map();
    const emit = () => {
      if (sent === rounds) return;
      started.set(id, process.hrtime.bigint());
      ws.send('42' + id + '["echo","x"]');
      id++;
      sent++;
      setTimeout(emit, every);
    };
    ws.on('message', (data) => {
      const s = data.toString();
      if (s === '2') ws.send('3');
      else if (s[0] === '0') ws.send('40');
      else if (s.startsWith('40')) emit();
      else if (s.startsWith('43')) {
        const ackID = parseInt(s.slice(2), 10);
        times.push(Number(process.hrtime.bigint() - started.get(ackID)) / 1e6);
        started.delete(ackID);
        if (++done === rounds) {
          ws.close();
          if (++finished === n) report();
        }
      }
    });
    ws.on('error', (err) => {
      console.error('bare client:', err.message);
      process.exit(1);
    });
  };
  const report = () => reportAcks(times);
  for (let i = 0; i < n; i++) setTimeout(client, (ramp * i) / n);
} else {
  console.error('use: node bench-load.js idle URL N | bare URL N EVERY_MS ROUNDS RAMP_MS');
  process.exit(2);
}

// reportAcks prints the acks' count, p50 and p99 and exits.
function reportAcks(times) {
  times.sort((a, b) => a - b);
  const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  console.log(JSON.stringify({ n: times.length, p50_ms: q(0.5), p99_ms: q(0.99) }));
  process.exit(0);
}
