// Connects to an admin namespace as the admin UI's page does
// (socket.io-client 4.8, withCredentials, reconnection off, the msgpack
// parser optionally), and reports what the server says:
//
//   node admin-ui-client.js --url URL [--ns /admin] [--user U --password P]
//     [--parser msgpack] [--transports websocket] [--join ROOM --nsp NSP]
//
// It prints one JSON line per event it gets (config, all_sockets,
// server_stats, ...) as {"event":…,"args":[…]}; with --join it makes every
// socket of --nsp (default /) join ROOM once it has the socket list, as
// the UI's room buttons do. It exits once it has had server_stats (and,
// with --join, the room_joined), or after 10 s with {"error":…}.
'use strict';

const args = { url: '', ns: '/admin', user: '', password: '', parser: '', transports: 'polling,websocket', join: '', nsp: '/' };
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const { io } = require('socket.io-client-v4');

const opts = {
  forceNew: true,
  reconnection: false,
  withCredentials: true,
  transports: args.transports.split(','),
  auth: args.user ? { username: args.user, password: args.password } : {},
};
if (args.parser === 'msgpack') opts.parser = require('socket.io-msgpack-parser-v3');
const socket = io(args.url + args.ns, opts);
const print = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const fail = (msg) => { print({ error: msg }); process.exit(1); };
setTimeout(() => fail('timed out'), 10000).unref();

let stats = false;
let joined = !args.join;
const done = () => { if (stats && joined) process.exit(0); };
socket.on('connect_error', (err) => fail('connect_error: ' + err.message));
socket.onAny((event, ...a) => {
  print({ event, args: a });
  if (event === 'all_sockets' && args.join) socket.emit('join', args.nsp, args.join);
  if (event === 'room_joined' && a[1] === args.join) joined = true;
  if (event === 'server_stats') stats = true;
  done();
});
