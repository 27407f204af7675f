#!/usr/bin/env bash
# Cross-compiles sio's release binaries, with the version stamped in, for
# linux, macOS (darwin) and Windows on amd64 and arm64, into dist/: one
# archive per platform (.tar.gz, .zip for Windows) and SHA256SUMS.
# Static binaries (no cgo), built with -trimpath.
#
#   scripts/release.sh            version from git describe (v1.2.3, or a commit)
#   scripts/release.sh v1.2.3     that version
#   PLATFORMS="linux/amd64" scripts/release.sh
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
platforms=${PLATFORMS:-"linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64"}
command -v zip >/dev/null || { echo "release.sh: zip is needed for the Windows archives (apt-get install zip)" >&2; exit 1; }

rm -rf dist
mkdir -p dist
for p in $platforms; do
  os=${p%/*}
  arch=${p#*/}
  name="sio_${version}_${os}_${arch}"
  exe=sio
  [ "$os" = windows ] && exe=sio.exe
  mkdir -p "dist/$name"
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath \
    -ldflags "-s -w -X github.com/siocli/sio/cmd.version=$version" \
    -o "dist/$name/$exe" .
  cp LICENSE README.md "dist/$name/"
  if [ "$os" = windows ]; then
    (cd dist && zip -qr "$name.zip" "$name")
  else
    tar -C dist -czf "dist/$name.tar.gz" "$name"
  fi
  rm -rf "dist/$name"
  echo "dist/$name built" >&2
done
(cd dist && sha256sum -- *.tar.gz *.zip 2>/dev/null >SHA256SUMS)
echo "sio $version: $(ls dist | wc -l) files in dist/" >&2
