// The reference client of one generation put through its paces against a
// server (sio serve, in the tests): connect, emit with acks (JSON and
// binary), receive an echoed event, join /admin with auth, and, with both
// transports, upgrade from polling to WebSocket. Prints one JSON object a
// line per step and {"ok":true} at the end; exits 1 on the first failure.
//
//   node client.js --version 2|4 --url URL [--transports polling,websocket]
'use strict';

const args = { version: '4', url: '', transports: 'polling,websocket' };
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const transports = args.transports.split(',');

const v2 = args.version === '2';
const io = v2 ? require('socket.io-client-v2') : require('socket.io-client-v4').io;
const opts = { transports, reconnection: false, forceNew: true };

function step(name, extra) { console.log(JSON.stringify({ step: name, ...extra })); }
function fail(msg) { console.log(JSON.stringify({ ok: false, error: msg })); process.exit(1); }
setTimeout(() => fail('timed out'), 10000).unref();

function ack(socket, ...a) {
  return new Promise((resolve) => socket.emit(...a, (...reply) => resolve(reply)));
}
function once(socket, ev) { return new Promise((resolve) => socket.once(ev, (...a) => resolve(a))); }

function same(a, b) {
  const norm = (x) => JSON.stringify(x, (k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('base64') : v));
  return norm(a) === norm(b);
}

async function main() {
  // Every connect carries the token that sio serve --require-auth wants.
  const socket = v2 ? io(args.url + '/?token=ok', opts) : io(args.url, { ...opts, auth: { token: 'ok' } });
  socket.on('connect_error', (err) => fail('connect_error: ' + (err.message || err)));
  socket.on('error', (err) => fail('error: ' + (err.message || err)));
  await once(socket, 'connect');
  const engine = socket.io.engine;
  step('connect', { id: socket.id, transport: engine.transport.name });

  const sent = ['hello', 42, { a: [1, true, null] }];
  const got = await ack(socket, 'echo', ...sent);
  if (!same(got, sent)) fail('ack args ' + JSON.stringify(got));
  step('ack', { args: got });

  const blob = Buffer.from([0, 1, 2, 0xfe, 0xff]);
  const bin = await ack(socket, 'bin', blob, { nested: blob }, 'text');
  if (!Buffer.isBuffer(bin[0]) || !blob.equals(bin[0]) || !blob.equals(bin[1].nested) || bin[2] !== 'text') fail('binary ack ' + JSON.stringify(bin));
  step('binary ack', { bytes: bin[0].length });

  const echoed = once(socket, 'chat');
  socket.emit('chat', 'hi', blob);
  const e = await echoed;
  if (e[0] !== 'hi' || !blob.equals(e[1])) fail('echo ' + JSON.stringify(e));
  step('echo', { args: e.length });

  if (transports.length > 1) {
    if (engine.transport.name !== 'websocket') await new Promise((resolve) => engine.once('upgrade', resolve));
    const after = await ack(socket, 'after-upgrade', 1);
    if (!same(after, [1])) fail('ack after upgrade ' + JSON.stringify(after));
    step('upgrade', { transport: engine.transport.name });
  }

  const admin = v2 ? io(args.url + '/admin?token=ok', opts) : io(args.url + '/admin', { ...opts, auth: { token: 'ok' } });
  admin.on('connect_error', (err) => fail('/admin connect_error: ' + (err.message || err)));
  admin.on('error', (err) => fail('/admin error: ' + (err.message || err)));
  await once(admin, 'connect');
  const a = await ack(admin, 'whoami', 'admin');
  if (!same(a, ['admin'])) fail('/admin ack ' + JSON.stringify(a));
  step('namespace', { id: admin.id });

  const refused = v2 ? io(args.url + '/admin?token=bad', opts) : io(args.url + '/admin', { ...opts, auth: { token: 'bad' } });
  const err = await new Promise((resolve) => {
    refused.on(v2 ? 'error' : 'connect_error', resolve);
    refused.on('connect', () => fail('a connect with a bad token was accepted'));
  });
  step('refused', { message: err.message || err, data: err.data });
  refused.close();
  admin.close();
  socket.close();
  console.log(JSON.stringify({ ok: true }));
  process.exit(0);
}

main().catch((err) => fail(String(err && err.stack || err)));
