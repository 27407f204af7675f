#!/usr/bin/env bash
# Runs sio's whole test suite, installing first what it needs: the Go
# modules, Node.js with the real Socket.IO servers from the lockfile in
# test/servers, the Go servers of test/goservers (a module of their own,
# so that they stay out of sio's go.mod), python-socketio (aiohttp,
# eventlet) and the proxies nginx, HAProxy, Apache httpd and Caddy from
# Debian's packages. Then gofmt, go vet, the macOS and Windows builds, and
# go test -race over every package.
#
#   scripts/test.sh            everything
#   scripts/test.sh ./pkg/...  only these packages (go test patterns)
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib.sh

need_node
need_servers
need_proxies
need_python
go mod download
(cd test/goservers && go mod download) # the Go servers, a module of their own

files=$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './test/servers/node_modules/*')
unformatted=$(gofmt -l $files)
if [ -n "$unformatted" ]; then
  echo "test.sh: gofmt would change these files:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
(cd test/goservers && go vet ./...)
# The release builds for other systems compile (scripts/release.sh).
for p in darwin/arm64 windows/amd64; do
  CGO_ENABLED=0 GOOS=${p%/*} GOARCH=${p#*/} go build -o /dev/null . || { echo "test.sh: sio does not build for $p" >&2; exit 1; }
done
if [ $# -eq 0 ]; then
  set -- ./...
fi
go test -race -count=1 "$@"
