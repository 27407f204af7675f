#!/usr/bin/env bash
# Regenerates the shell completion scripts in completions/ from the
# commands' definitions. The test suite fails when they are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o completions/.sio .
trap 'rm -f completions/.sio' EXIT
completions/.sio completion bash >completions/sio.bash
completions/.sio completion zsh >completions/_sio
completions/.sio completion fish >completions/sio.fish
completions/.sio completion powershell >completions/sio.ps1
echo "completions/: sio.bash _sio sio.fish sio.ps1" >&2
