// The reference client doing what `sio emit URL echo hi --ack` does:
// connect with the default transports, emit with an ack, print it with its
// round trip (rtt_ms, from the emit to the ack), exit. For
// scripts/bench-emit.sh and scripts/bench-rtt.sh.
'use strict';

const { io } = require('socket.io-client-v4');

const socket = io(process.argv[2], { reconnection: false });
socket.on('connect', () => {
  const t0 = process.hrtime.bigint();
  socket.emit('echo', 'hi', (...args) => {
    const rtt = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(JSON.stringify({ type: 'ack', args, rtt_ms: rtt }));
    socket.close();
    process.exit(0);
  });
});
socket.on('connect_error', (err) => {
  console.error(err.message);
  process.exit(3);
});
