// A reference client (socket.io-client 4.8) that connects, joins rooms
// and stays, for the tests of sio admin to look at:
//
//   node resident.js --url URL [--ns /chat] [--join room1,room2]
//     [--transports polling,websocket] [--query k=v]
//
// It prints {"id":…} once connected and in its rooms, then one JSON line
// per event it receives ({"event":…,"args":[…]}) and {"disconnect":reason}
// when it is disconnected; it exits when stdin closes.
'use strict';

const args = { url: '', ns: '/', join: '', transports: 'polling,websocket', query: '' };
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const { io } = require('socket.io-client-v4');

const query = {};
for (const kv of args.query.split(',').filter(Boolean)) {
  const [k, v] = kv.split('=');
  query[k] = v;
}
const socket = io(args.url + args.ns, { transports: args.transports.split(','), query, reconnection: false, forceNew: true });
const print = (o) => process.stdout.write(JSON.stringify(o) + '\n');
socket.on('connect', async () => {
  for (const room of args.join.split(',').filter(Boolean)) {
    await new Promise((resolve) => socket.emit('join', room, resolve));
  }
  print({ id: socket.id });
});
socket.onAny((event, ...a) => print({ event, args: a }));
socket.on('disconnect', (reason) => print({ disconnect: reason }));
socket.on('connect_error', (err) => print({ connect_error: err.message }));
process.stdin.on('data', () => {});
process.stdin.on('end', () => process.exit(0));
