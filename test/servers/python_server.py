# A real python-socketio server (Debian's python3-socketio), for sio's
# tests: the same handlers as server.js, served by aiohttp or eventlet, or
# through Flask-SocketIO (Debian's python3-flask-socketio) on eventlet.
#
#   /usr/bin/python3 python_server.py --async aiohttp|eventlet|flask [--port N]
#
# It prints one JSON line {"port":N} on stdout once it listens, and exits
# when stdin closes, so a test that dies leaves no server behind.
import argparse
import json
import os
import sys
import threading

import socketio

parser = argparse.ArgumentParser()
parser.add_argument('--async', dest='mode', choices=['aiohttp', 'eventlet', 'flask'], default='aiohttp')
parser.add_argument('--port', type=int, default=0)
opts = parser.parse_args()


def watch_stdin():
    sys.stdin.read()
    os._exit(0)


threading.Thread(target=watch_stdin, daemon=True).start()


def refuse(auth, environ):
    """The /admin check: a token "ok" in the auth payload or the query."""
    token = (auth or {}).get('token') if isinstance(auth, dict) else None
    if token is None:
        query = environ.get('QUERY_STRING', '')
        for kv in query.split('&'):
            if kv.startswith('token='):
                token = kv[len('token='):]
    if token != 'ok':
        raise socketio.exceptions.ConnectionRefusedError('Not authorized', {'code': 42})


BLOB = b'\x01\x02\x03\x04'

if opts.mode == 'aiohttp':
    from aiohttp import web

    sio = socketio.AsyncServer(async_mode='aiohttp', cors_allowed_origins='*')
    app = web.Application()
    sio.attach(app)

    def handlers(ns):
        @sio.on('echo', namespace=ns)
        async def echo(sid, *args):
            await sio.emit('echo-back', tuple(args), to=sid, namespace=ns)
            return tuple(args)

        @sio.on('ack', namespace=ns)
        async def ack(sid, *args):
            return tuple(args)

        @sio.on('binary', namespace=ns)
        async def binary(sid, *args):
            await sio.emit('bin-back', (BLOB, '€', {'nested': [BLOB, b'\x05']}), to=sid, namespace=ns)
            return BLOB

        @sio.on('ask', namespace=ns)
        async def ask(sid, *args):
            async def answered(*answer):
                await sio.emit('answered', tuple(answer), to=sid, namespace=ns)
            await sio.emit('question', tuple(args), to=sid, namespace=ns, callback=answered)

        @sio.on('disconnect-me', namespace=ns)
        async def disconnect_me(sid, *args):
            await sio.disconnect(sid, namespace=ns)

        @sio.on('broadcast', namespace=ns)
        async def broadcast(sid, *args):
            await sio.emit(args[0], tuple(args[1:]), namespace=ns)

    handlers('/')
    handlers('/admin')

    @sio.on('connect', namespace='/admin')
    async def admin_connect(sid, environ, auth=None):
        refuse(auth, environ)

    async def main():
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, '127.0.0.1', opts.port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        print(json.dumps({'port': port}), flush=True)
        while True:
            await asyncio.sleep(3600)

    import asyncio
    asyncio.run(main())
elif opts.mode == 'flask':
    import eventlet
    import eventlet.wsgi
    from flask import Flask, request
    from flask_socketio import SocketIO, ConnectionRefusedError, disconnect, emit

    app = Flask(__name__)
    fsio = SocketIO(app, async_mode='eventlet', cors_allowed_origins='*')

    def handlers(ns):
        @fsio.on('echo', namespace=ns)
        def echo(*args):
            emit('echo-back', tuple(args))  # a tuple is several arguments; several positionals are not
            return tuple(args)

        @fsio.on('ack', namespace=ns)
        def ack(*args):
            return tuple(args)

        @fsio.on('binary', namespace=ns)
        def binary(*args):
            emit('bin-back', (BLOB, '€', {'nested': [BLOB, b'\x05']}))
            return BLOB

        @fsio.on('ask', namespace=ns)
        def ask(*args):
            sid = request.sid

            def answered(*answer):
                fsio.emit('answered', tuple(answer), to=sid, namespace=ns)
            emit('question', tuple(args), callback=answered)

        @fsio.on('disconnect-me', namespace=ns)
        def disconnect_me(*args):
            disconnect()

        @fsio.on('broadcast', namespace=ns)
        def broadcast(*args):
            emit(args[0], tuple(args[1:]), broadcast=True)

    handlers('/')
    handlers('/admin')

    @fsio.on('connect', namespace='/admin')
    def admin_connect(auth=None):
        refuse(auth, request.environ)  # Flask-SocketIO's ConnectionRefusedError is python-socketio's

    sock = eventlet.listen(('127.0.0.1', opts.port))
    print(json.dumps({'port': sock.getsockname()[1]}), flush=True)
    eventlet.wsgi.server(sock, app, log_output=False, log=open(os.devnull, 'w'))
else:
    import eventlet
    import eventlet.wsgi

    sio = socketio.Server(async_mode='eventlet', cors_allowed_origins='*')
    app = socketio.WSGIApp(sio)

    def handlers(ns):
        @sio.on('echo', namespace=ns)
        def echo(sid, *args):
            sio.emit('echo-back', tuple(args), to=sid, namespace=ns)
            return tuple(args)

        @sio.on('ack', namespace=ns)
        def ack(sid, *args):
            return tuple(args)

        @sio.on('binary', namespace=ns)
        def binary(sid, *args):
            sio.emit('bin-back', (BLOB, '€', {'nested': [BLOB, b'\x05']}), to=sid, namespace=ns)
            return BLOB

        @sio.on('ask', namespace=ns)
        def ask(sid, *args):
            def answered(*answer):
                sio.emit('answered', tuple(answer), to=sid, namespace=ns)
            sio.emit('question', tuple(args), to=sid, namespace=ns, callback=answered)

        @sio.on('disconnect-me', namespace=ns)
        def disconnect_me(sid, *args):
            sio.disconnect(sid, namespace=ns)

        @sio.on('broadcast', namespace=ns)
        def broadcast(sid, *args):
            sio.emit(args[0], tuple(args[1:]), namespace=ns)

    handlers('/')
    handlers('/admin')

    @sio.on('connect', namespace='/admin')
    def admin_connect(sid, environ, auth=None):
        refuse(auth, environ)

    sock = eventlet.listen(('127.0.0.1', opts.port))
    print(json.dumps({'port': sock.getsockname()[1]}), flush=True)
    eventlet.wsgi.server(sock, app, log_output=False, log=open(os.devnull, 'w'))
