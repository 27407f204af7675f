// A real Socket.IO server of a chosen major version, for sio's tests.
//
//   node server.js --version 1|2.0|2|3|4 [--port N] [--ping-interval MS]
//     [--ping-timeout MS] [--allow-eio3] [--transports polling,websocket]
//     [--recovery] [--path /socket.io] [--parser msgpack] [--max-payload N]
//     [--per-message-deflate] [--no-trailing-slash] [--cluster N [--sticky]]
//     [--cors none|*|ORIGIN,...] [--cors-credentials] [--cors-headers H,...]
//     [--allow-origin ORIGIN] [--cookie NAME]
//
// --cors sets socket.io 3+'s cors.origin (default *; none sends no CORS
// headers, as socket.io does unless told); --allow-origin refuses, in
// allowRequest, every request whose Origin is another one; --cookie sets
// the session cookie (SameSite Lax, not Secure: engine.io's defaults).
//
// --cluster N (socket.io 4) runs N worker processes joined by
// @socket.io/cluster-adapter; with --sticky the primary hands each
// request to its session's worker (@socket.io/sticky), without it Node's
// cluster module hands each new connection to the next worker, so a
// polling session's requests land on workers that do not know it, as
// behind a balancer without stickiness.
//
// It prints one JSON line {"port":N} on stdout once it listens, and exits when
// stdin closes, so a test that dies leaves no server behind.
//
// Beside Socket.IO at --path it serves a bare Engine.IO echo at /engine.io
// (same Engine.IO version, same options), for tests of the Engine.IO layer:
// every message comes back as it was sent; the text "close" makes the server
// close the session.
'use strict';

const http = require('http');
const path = require('path');

function parseArgs(argv) {
  const o = { version: '4', port: 0, transports: ['polling', 'websocket'], path: '/socket.io' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    switch (a) {
      case '--version': o.version = next(); break;
      case '--port': o.port = Number(next()); break;
      case '--ping-interval': o.pingInterval = Number(next()); break;
      case '--ping-timeout': o.pingTimeout = Number(next()); break;
      case '--allow-eio3': o.allowEIO3 = true; break;
      case '--transports': o.transports = next().split(','); break;
      case '--recovery': o.recovery = true; break;
      case '--path': o.path = next(); break;
      case '--parser': o.parser = next(); break;
      case '--max-payload': o.maxHttpBufferSize = Number(next()); break;
      case '--per-message-deflate': o.perMessageDeflate = { threshold: 1024 }; break;
      case '--no-trailing-slash': o.addTrailingSlash = false; break;
      case '--cluster': o.cluster = Number(next()); break;
      case '--cors': o.cors = next(); break;
      case '--cors-credentials': o.corsCredentials = true; break;
      case '--cors-headers': o.corsHeaders = next().split(','); break;
      case '--allow-origin': o.allowOrigin = next(); break;
      case '--cookie': o.cookie = next(); break;
      case '--sticky': o.sticky = true; break;
      default: throw new Error('unknown argument ' + a);
    }
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const cluster = require('cluster');

if (opts.cluster > 0 && cluster.isPrimary) {
  require('@socket.io/cluster-adapter').setupPrimary();
  let httpServer = null;
  if (opts.sticky) {
    // Buffers must cross the IPC channel as Buffers.
    cluster.setupPrimary({ serialization: 'advanced' });
    httpServer = http.createServer();
    require('@socket.io/sticky').setupMaster(httpServer, { loadBalancingMethod: 'round-robin' });
  }
  const workers = [];
  let ready = 0;
  for (let i = 0; i < opts.cluster; i++) {
    const w = cluster.fork();
    workers.push(w);
    w.on('message', (m) => {
      if (!m || m.type !== 'sio-test-ready' || ++ready < opts.cluster) return;
      const report = (port) => process.stdout.write(JSON.stringify({ port, engine: m.engine, workers: workers.map((x) => x.process.pid) }) + '\n');
      if (httpServer) httpServer.listen(opts.port, '127.0.0.1', () => report(httpServer.address().port));
      else report(m.port);
    });
  }
  const stop = () => {
    for (const w of workers) w.kill();
    process.exit(0);
  };
  process.stdin.on('end', stop);
  process.stdin.resume();
  return;
}
const pkg = 'socket.io-v' + opts.version;
// socket.io 1.x and 2.x: Engine.IO 3, Socket.IO protocol 4, a function to
// call rather than a Server class, no cors option.
const legacy = ['1', '2.0', '2'].includes(opts.version);
const sioPath = require.resolve(pkg);
const engineMain = require.resolve('engine.io', { paths: [sioPath] });
const engineio = require(engineMain);
const engineVersion = (() => {
  const fs = require('fs');
  for (let dir = path.dirname(engineMain); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const f = path.join(dir, 'package.json');
    if (fs.existsSync(f) && JSON.parse(fs.readFileSync(f, 'utf8')).name === 'engine.io') {
      return JSON.parse(fs.readFileSync(f, 'utf8')).version;
    }
  }
  return 'unknown';
})();

const serverOpts = { path: opts.path, transports: opts.transports };
for (const k of ['pingInterval', 'pingTimeout', 'allowEIO3', 'maxHttpBufferSize', 'perMessageDeflate', 'addTrailingSlash']) {
  if (opts[k] !== undefined) serverOpts[k] = opts[k];
}
if (!legacy && opts.cors !== 'none') {
  const origin = !opts.cors || opts.cors === '*' ? '*' : opts.cors.split(',');
  serverOpts.cors = { origin };
  if (opts.corsCredentials) serverOpts.cors.credentials = true;
  if (opts.corsHeaders) serverOpts.cors.allowedHeaders = opts.corsHeaders;
}
if (opts.allowOrigin) {
  serverOpts.allowRequest = (req, callback) => {
    const origin = req.headers.origin;
    callback(null, !origin || origin === opts.allowOrigin);
  };
}
if (opts.cookie) serverOpts.cookie = { name: opts.cookie };
if (opts.recovery) serverOpts.connectionStateRecovery = { maxDisconnectionDuration: 2 * 60 * 1000 };
if (opts.parser === 'msgpack') {
  serverOpts.parser = require(legacy ? 'socket.io-msgpack-parser-v2' : 'socket.io-msgpack-parser-v3');
}

// Requests for other paths get a 404, as from an Express app: engine.io hands
// them to the listeners that were there before it.
const httpServer = http.createServer((req, res) => {
  res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end('Cannot ' + req.method + ' ' + req.url.split('?')[0] + '\n');
});
// socket.io 1.x and 2.x attach once the middleware is in place: socket.io
// 2.0 drops the root namespace's CONNECT from the handshake when any
// namespace gets a middleware after attaching, and then never sends it
// (fixed in 2.1), so that no client could connect.
const io = legacy
  ? require(pkg)(serverOpts)
  : new (require(pkg).Server)(httpServer, serverOpts);

// The bare Engine.IO echo.
const engineOpts = Object.assign({}, serverOpts, { path: '/engine.io' });
delete engineOpts.cors;
delete engineOpts.parser;
delete engineOpts.connectionStateRecovery;
delete engineOpts.initialPacket; // socket.io 2 stores its piggybacked CONNECT here
const engine = engineio.attach(httpServer, engineOpts);
engine.on('connection', (socket) => {
  socket.on('message', (data) => {
    if (data === 'close') socket.close();
    else socket.send(data);
  });
});

const flaky = new Map();

// Handlers every namespace has.
function handlers(socket) {
  socket.on('echo', (...args) => {
    const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
    if (ack) ack(...args);
    socket.emit('echo-back', ...args);
  });
  socket.on('ack', (...args) => {
    const ack = args.pop();
    if (typeof ack === 'function') ack(...args);
  });
  socket.on('flood', (n, ack) => {
    for (let i = 0; i < n; i++) socket.emit('tick', i);
    if (typeof ack === 'function') ack(n);
  });
  socket.on('binary', (ack) => {
    const buf = Buffer.from([1, 2, 3, 4]);
    socket.emit('bin-back', buf, '€', { nested: [buf, Buffer.from([5])] });
    if (typeof ack === 'function') ack(buf);
  });
  socket.on('ask', (...args) => {
    socket.emit('question', ...args, (...answer) => socket.emit('answered', ...answer));
  });
  // flaky acks a key only from its third delivery on, with the count and
  // the ack ids seen, to test retries.
  socket.on('flaky', (key, ack) => {
    const seen = flaky.get(key) || 0;
    flaky.set(key, seen + 1);
    if (seen + 1 >= 3 && typeof ack === 'function') ack(seen + 1);
  });
  // handshake acks what the server saw of the request that opened the
  // session: its URL, headers, remote address and transport, and the
  // namespace auth payload.
  socket.on('handshake', (ack) => {
    if (typeof ack !== 'function') return;
    const req = socket.request;
    ack({ url: req.url, headers: req.headers, address: req.socket && req.socket.remoteAddress, transport: socket.conn.transport.name, auth: socket.handshake.auth });
  });
  socket.on('disconnect-me', () => socket.disconnect());
  socket.on('close-me', () => socket.disconnect(true));
  socket.on('broadcast', (...args) => {
    if (typeof args[args.length - 1] === 'function') args.pop();
    io.of(socket.nsp.name).emit(...args);
  });
}

io.on('connection', handlers);

// /admin refuses a connection whose token is not "ok": from the auth payload
// on servers 3.x and 4.x, from the namespace query on 2.x and EIO3 clients.
const admin = io.of('/admin');
admin.use((socket, next) => {
  const hs = socket.handshake;
  const token = (hs.auth && hs.auth.token) || (hs.query && hs.query.token);
  if (token === 'ok') return next();
  const err = new Error('Not authorized');
  err.data = { code: 42 };
  next(err);
});
admin.on('connection', handlers);
if (legacy) io.attach(httpServer, serverOpts);

if (opts.cluster > 0) {
  // A worker: the cluster adapter joins it to the others.
  io.adapter(require('@socket.io/cluster-adapter').createAdapter());
  if (opts.sticky) {
    require('@socket.io/sticky').setupWorker(io);
    process.send({ type: 'sio-test-ready', engine: engineVersion });
  } else {
    httpServer.listen(opts.port, '127.0.0.1', () => {
      process.send({ type: 'sio-test-ready', port: httpServer.address().port, engine: engineVersion });
    });
  }
  // Answer which worker a request reached.
  io.on('connection', (socket) => socket.on('whoami', (ack) => typeof ack === 'function' && ack(process.pid)));
} else {
  httpServer.listen(opts.port, '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({ port: httpServer.address().port, engine: engineVersion }) + '\n');
  });
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}
