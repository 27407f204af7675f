#!/usr/bin/env bash
# Runs sio's whole test suite, installing first what it needs: the Go
# modules, and Node.js with the real Socket.IO servers from the lockfile in
# test/servers. Then gofmt, go vet, and go test -race over every package.
#
#   scripts/test.sh            everything
#   scripts/test.sh ./pkg/...  only these packages (go test patterns)
set -euo pipefail
cd "$(dirname "$0")/.."

need_node() {
  if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    return
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing Node.js from Debian's packages" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "test.sh: Node.js is missing; install Node.js 18 or later with npm (e.g. sudo apt-get install nodejs npm) and run again" >&2
    exit 1
  fi
}

# The Node servers, from the lockfile, when they are absent or older than it.
need_servers() {
  local dir=test/servers
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "test.sh: installing the test servers (npm ci in $dir)" >&2
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  fi
}

need_node
need_servers
go mod download

files=$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './test/servers/node_modules/*')
unformatted=$(gofmt -l $files)
if [ -n "$unformatted" ]; then
  echo "test.sh: gofmt would change these files:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
if [ $# -eq 0 ]; then
  set -- ./...
fi
go test -race -count=1 "$@"
