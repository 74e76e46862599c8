#!/bin/sh
# Build the pinned k6 v2 from source, exactly as src/load/k6-binary.ts does (`chaos setup`): a
# wrapper Go module that requires go.k6.io/k6/v2 at the pinned version and builds its main
# package. (`go install module@version` also asks the module proxy for the version list, which
# some proxies refuse.) Used by deploy/Dockerfile's build stage and by test/deploy.
#
#   sh deploy/build-k6.sh v2.2.0 /out/k6
set -eu
version="${1:?usage: build-k6.sh <k6 version, e.g. v2.2.0> <output file>}"
out="${2:?usage: build-k6.sh <k6 version> <output file>}"
case "$out" in /*) ;; *) out="$(pwd)/$out" ;; esac
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Two test-only imports of k6's dependencies are not in its go.mod; pinning them keeps
# `go mod tidy` from asking the proxy for "latest" (the same pins as src/load/k6-binary.ts).
cat > "$work/go.mod" <<MOD
module chaos.local/k6build

go 1.25

require (
	go.k6.io/k6/v2 $version
	github.com/fsnotify/fsnotify v1.10.1 // indirect
	gopkg.in/tomb.v1 v1.0.0-20141024135613-dd632973f1e7 // indirect
)
MOD
cat > "$work/tools.go" <<'GO'
//go:build tools

package tools

import _ "go.k6.io/k6/v2"
GO
cd "$work"
export CGO_ENABLED=0 GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
go mod tidy
mkdir -p "$(dirname "$out")"
go build -trimpath -o "$out" go.k6.io/k6/v2
K6_NO_USAGE_REPORT=true "$out" version
