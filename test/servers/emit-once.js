// The reference client doing what `sio emit URL echo hi --ack` does:
// connect with the default transports, emit with an ack, print it, exit.
// For scripts/bench-emit.sh.
'use strict';

const { io } = require('socket.io-client-v4');

const socket = io(process.argv[2], { reconnection: false });
socket.on('connect', () => {
  socket.emit('echo', 'hi', (...args) => {
    console.log(JSON.stringify({ type: 'ack', args }));
    socket.close();
    process.exit(0);
  });
});
socket.on('connect_error', (err) => {
  console.error(err.message);
  process.exit(3);
});
