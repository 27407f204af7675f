# Shared by the scripts: install what the tests and benchmarks need.

# need_node installs Node.js from Debian's packages when it is missing and
# we are root; otherwise it says what to install.
need_node() {
  if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    return
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Node.js from Debian's packages" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "Node.js is missing; install Node.js 18 or later with npm (e.g. sudo apt-get install nodejs npm) and run again" >&2
    exit 1
  fi
}

# need_servers installs the Node test servers from the lockfile when they
# are absent or older than it.
need_servers() {
  local dir=test/servers
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "installing the test servers (npm ci in $dir)" >&2
    npm ci --prefix "$dir" --ignore-scripts --no-audit --no-fund --loglevel=error
  fi
}

# need_proxies installs the proxies the doctor's tests put in front of the
# servers, nginx, HAProxy, Apache httpd and Caddy, from Debian's packages
# when any is missing and we are root (without starting their services:
# the tests start their own); otherwise it says what to install.
need_proxies() {
  local missing=
  [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing="$missing nginx"
  [ -x /usr/sbin/haproxy ] || command -v haproxy >/dev/null 2>&1 || missing="$missing haproxy"
  [ -x /usr/sbin/apache2 ] || missing="$missing apache2"
  command -v caddy >/dev/null 2>&1 || missing="$missing caddy"
  if [ -z "$missing" ]; then
    return
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing$missing from Debian's packages" >&2
    local policy=/usr/sbin/policy-rc.d created=
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created=1
    fi
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
    if [ -n "$created" ]; then rm -f "$policy"; fi
  else
    echo "missing:$missing; install them (e.g. sudo apt-get install$missing) and run again" >&2
    exit 1
  fi
}

# need_peers installs the other load generators (Artillery) that
# scripts/bench-load.sh measures beside sio bench, from their lockfile,
# without their install scripts (which would download more).
need_peers() {
  local dir=scripts/peers
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "installing the peers (npm ci in $dir)" >&2
    npm ci --prefix "$dir" --ignore-scripts --no-audit --no-fund --loglevel=error
  fi
}

# need_python installs python-socketio with its aiohttp and eventlet
# servers from Debian's packages when they are missing and we are root;
# otherwise it says what to install. The tests run Debian's
# /usr/bin/python3, whose packages these are.
need_python() {
  local pkgs="python3-socketio python3-engineio python3-aiohttp python3-eventlet python3-flask-socketio"
  if /usr/bin/python3 -c 'import socketio, engineio, aiohttp, eventlet, flask_socketio' >/dev/null 2>&1; then
    return
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing python-socketio from Debian's packages" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
  else
    echo "python-socketio is missing; install it (e.g. sudo apt-get install $pkgs) and run again" >&2
    exit 1
  fi
}

# start_node_server DIR starts the socket.io 4.x test server, fed through a
# fifo in DIR on file descriptor 3 (it exits when 3 closes, as the caller's
# trap does), waits until it listens, and sets url to where.
start_node_server() {
  mkfifo "$1/in"
  node test/servers/server.js --version 4 <"$1/in" >"$1/server.out" 2>&1 &
  exec 3>"$1/in"
  for _ in $(seq 50); do grep -q port "$1/server.out" 2>/dev/null && break; sleep 0.1; done
  url="http://127.0.0.1:$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$1/server.out")"
}
