// The test servers of the protocols' conformance suites, set up as the
// protocol documents describe them, for sio conform and its tests.
//
//   node conformance.js --suite engine.io|socket.io [--version 1|2.0|2|3|4]
//     [--allow-eio3] [--port N] [--host 127.0.0.1]
//
// --suite engine.io: a bare Engine.IO server at /engine.io (pingInterval
// 300, pingTimeout 200, maxPayload 1e6, CORS for every origin) that sends
// every message back as it came (the engine.io-protocol documents' test
// server); --allow-eio3 takes Engine.IO 3 clients too, as the v3
// document's server does. --version picks the engine.io of that socket.io
// release: 4 (the default) is engine.io 6, 2 is engine.io 3, which speaks
// Engine.IO 3 alone.
//
// --suite socket.io: a Socket.IO server at /socket.io with the same
// timings and connectTimeout 1000, whose sockets emit "auth" with their
// handshake's auth payload, send "message" back as "message-back", and ack
// "message-with-ack" with its arguments, on / and on /custom (the
// socket.io-protocol document's test server); --version 3 or 4.
//
// It prints one JSON line {"port":N} on stdout once it listens, and exits
// when stdin closes, as server.js does. The suites themselves expect the
// server at localhost:3000: --port 3000 --host :: serves them.
'use strict';

const http = require('http');

const opts = { suite: '', version: '4', port: 0, host: '127.0.0.1', allowEIO3: false };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const next = () => argv[++i];
  switch (argv[i]) {
    case '--suite': opts.suite = next(); break;
    case '--version': opts.version = next(); break;
    case '--port': opts.port = Number(next()); break;
    case '--host': opts.host = next(); break;
    case '--allow-eio3': opts.allowEIO3 = true; break;
    default: throw new Error('unknown argument ' + argv[i]);
  }
}

const pkg = 'socket.io-v' + opts.version;
const timings = { pingInterval: 300, pingTimeout: 200, maxPayload: 1e6, cors: { origin: '*' } };
if (opts.allowEIO3) timings.allowEIO3 = true;

// A server of our own in place of engine.io's listen(), which listens on
// every interface: the same answer to requests that are not Engine.IO's.
const httpServer = http.createServer((req, res) => {
  res.writeHead(501);
  res.end('Not Implemented');
});

if (opts.suite === 'engine.io') {
  const engineio = require(require.resolve('engine.io', { paths: [require.resolve(pkg)] }));
  const server = engineio.attach(httpServer, Object.assign({ path: '/engine.io' }, timings));
  server.on('connection', (socket) => {
    socket.on('data', (...args) => {
      socket.send(...args);
    });
  });
} else if (opts.suite === 'socket.io') {
  const { Server } = require(pkg);
  const io = new Server(httpServer, Object.assign({ connectTimeout: 1000 }, timings));
  io.on('connection', (socket) => {
    socket.emit('auth', socket.handshake.auth);
    socket.on('message', (...args) => {
      socket.emit.apply(socket, ['message-back', ...args]);
    });
    socket.on('message-with-ack', (...args) => {
      const ack = args.pop();
      ack(...args);
    });
  });
  io.of('/custom').on('connection', (socket) => {
    socket.emit('auth', socket.handshake.auth);
  });
} else {
  throw new Error('--suite engine.io or --suite socket.io');
}

httpServer.listen(opts.port, opts.host, () => {
  process.stdout.write(JSON.stringify({ port: httpServer.address().port }) + '\n');
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
