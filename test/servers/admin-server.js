// A real Socket.IO server instrumented with @socket.io/admin-ui, for the
// tests of sio admin.
//
//   node admin-server.js [--version 3|4] [--port N] [--mode development|production]
//     [--user U --password P] [--readonly] [--admin-ns /admin] [--cluster N]
//
// Without --user the admin namespace takes anyone (auth: false); with it,
// the password is stored as a bcrypt hash, as a real deployment does.
// --cluster N runs N worker processes sharing the port (Node's cluster
// module hands each new connection to the next worker), joined by
// @socket.io/cluster-adapter into one cluster: the admin namespace then
// hears every worker. There is no stickiness, so clients must use
// WebSocket only: @socket.io/sticky needs the IPC channel's "advanced"
// serialization, which cannot carry the Proxy objects the admin UI puts in
// socket.data in development mode (the worker crashes on fetchSockets).
//
// Clients get: "join" ROOM and "leave" ROOM (acked with the socket's
// rooms), "echo" (acked with its args), and a namespace /chat with the same.
//
// It prints one JSON line {"port":N} on stdout once it (and every worker)
// listens, and exits when stdin closes.
'use strict';

const cluster = require('cluster');
const http = require('http');

function parseArgs(argv) {
  const o = { version: '4', port: 0, mode: 'development', adminNs: '/admin', cluster: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    switch (a) {
      case '--version': o.version = next(); break;
      case '--port': o.port = Number(next()); break;
      case '--mode': o.mode = next(); break;
      case '--user': o.user = next(); break;
      case '--password': o.password = next(); break;
      case '--readonly': o.readonly = true; break;
      case '--admin-ns': o.adminNs = next(); break;
      case '--cluster': o.cluster = Number(next()); break;
      default: throw new Error('unknown argument ' + a);
    }
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));

function handlers(socket) {
  socket.on('join', (room, ack) => {
    socket.join(room);
    if (typeof ack === 'function') ack([...socket.rooms]);
  });
  socket.on('leave', (room, ack) => {
    socket.leave(room);
    if (typeof ack === 'function') ack([...socket.rooms]);
  });
  socket.on('echo', (...args) => {
    const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
    if (ack) ack(...args);
  });
}

function startServer(httpServer, worker) {
  const { Server } = require('socket.io-v' + opts.version);
  const { instrument } = require('@socket.io/admin-ui');
  const io = new Server(httpServer, { cors: { origin: '*' } });
  if (worker) io.adapter(require('@socket.io/cluster-adapter').createAdapter());
  // Namespaces before instrument(): socket.io 3.1 tells the admin UI of no
  // namespace created later, and its sockets then crash the server when
  // the admin namespace lists them (they have no socket.data).
  io.on('connection', handlers);
  io.of('/chat').on('connection', handlers);
  let auth = false;
  if (opts.user) {
    const bcrypt = require('bcryptjs');
    auth = { type: 'basic', username: opts.user, password: bcrypt.hashSync(opts.password || '', 4) };
  }
  instrument(io, { auth, mode: opts.mode, readonly: !!opts.readonly, namespaceName: opts.adminNs });
  return io;
}

function exitWithStdin(onExit) {
  process.stdin.on('data', () => {});
  process.stdin.on('end', onExit);
  process.stdin.on('close', onExit);
}

if (opts.cluster > 0 && cluster.isPrimary) {
  require('@socket.io/cluster-adapter').setupPrimary();
  // Workers that listen on the same port, 0 included, share one socket
  // the primary holds.
  const workers = [];
  const ports = [];
  for (let i = 0; i < opts.cluster; i++) {
    const w = cluster.fork();
    workers.push(w);
    w.on('message', (m) => {
      if (!m || m.type !== 'sio-test-listening') return;
      ports.push(m.port);
      if (ports.length === opts.cluster) {
        process.stdout.write(JSON.stringify({ port: ports[0], workers: workers.map((x) => x.process.pid) }) + '\n');
      }
    });
  }
  exitWithStdin(() => {
    for (const w of workers) w.kill();
    process.exit(0);
  });
} else if (opts.cluster > 0) {
  const httpServer = http.createServer();
  startServer(httpServer, true);
  httpServer.listen(opts.port, '127.0.0.1', () => {
    process.send({ type: 'sio-test-listening', port: httpServer.address().port });
  });
} else {
  const httpServer = http.createServer();
  startServer(httpServer, false);
  httpServer.listen(opts.port, '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({ port: httpServer.address().port }) + '\n');
  });
  exitWithStdin(() => process.exit(0));
}
