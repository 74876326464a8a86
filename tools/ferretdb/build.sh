#!/usr/bin/env bash
# Builds the test suite's throwaway FerretDB into tools/ferretdb/bin (git-ignored).
# Idempotent: does nothing when the binary is newer than its sources.
set -euo pipefail
cd "$(dirname "$0")"
binary=bin/ferretdb

if [ -x "$binary" ] && [ -z "$(find main.go go.mod go.sum -newer "$binary")" ]; then
  echo "ferretdb: up to date ($binary)" >&2
  exit 0
fi
# Go is often installed at /usr/local/go without being on PATH.
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="$PATH:/usr/local/go/bin"
fi
if ! command -v go >/dev/null 2>&1; then
  echo "ferretdb: Go is not installed; install Go 1.24+ (or set MONGODB_URI, or put mongod on PATH) to run the tests" >&2
  exit 1
fi
echo "ferretdb: building FerretDB from the Go module proxy (first run only, about a minute)" >&2
# Pure Go (modernc SQLite), so no C toolchain is needed; -trimpath keeps paths out of the binary.
CGO_ENABLED=0 go build -trimpath -o "$binary.tmp" .
mv "$binary.tmp" "$binary"
echo "ferretdb: built $binary" >&2
