// The reference client counting events as fast as they come, for
// scripts/bench-listen.sh: connects over WebSocket, counts N "tick"
// events, prints {"events":N,"seconds":S,"rate":R} and exits.
'use strict';

const { io } = require('socket.io-client-v4');

const n = Number(process.argv[3]);
const socket = io(process.argv[2], { transports: ['websocket'], reconnection: false });
let count = 0;
let t0;
socket.on('connect', () => { t0 = process.hrtime.bigint(); });
socket.on('tick', () => {
  if (++count === n) {
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(JSON.stringify({ events: n, seconds: s, rate: Math.round(n / s) }));
    process.exit(0);
  }
});
socket.on('connect_error', (err) => { console.error(err.message); process.exit(3); });
