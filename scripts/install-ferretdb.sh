#!/usr/bin/env bash
# Installs FerretDB (the MongoDB-compatible server used for tests and the no-Docker stack) into the Go bin
# folder, where it stays cached across clones. Tries v1.24.1 first and falls back to v1.24.0 when the Go
# module proxy does not serve the newer one.
#
# Why not a plain `go install …@v1.24.x`: FerretDB's binary panics at start unless
# build/version/version.txt exists, and the published module does not contain it; so the module source
# is copied, the file written, and the binary built from there.
set -euo pipefail

versions=("v1.24.1" "v1.24.0")
gobin="$(go env GOBIN)"
[ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
target="$gobin/ferretdb"

installed_version() {
  [ -x "$target" ] && "$target" --version 2>/dev/null | sed -n 's/^version: //p'
}

current="$(installed_version || true)"
for v in "${versions[@]}"; do
  if [ "$current" = "$v" ]; then
    echo "ferretdb $current already installed at $target"
    exit 0
  fi
done

for v in "${versions[@]}"; do
  echo "ferretdb: fetching module source $v" >&2
  dir="$(go mod download -json "github.com/FerretDB/FerretDB@$v" 2>/dev/null | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' || true)"
  if [ -z "$dir" ]; then
    echo "ferretdb: $v is not served by the module proxy, trying the next version" >&2
    continue
  fi
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cp -r "$dir/." "$work/src"
  chmod -R u+w "$work/src"
  echo "$v" >"$work/src/build/version/version.txt"
  mkdir -p "$gobin"
  (cd "$work/src" && go build -o "$target.tmp" ./cmd/ferretdb)
  mv "$target.tmp" "$target"
  echo "ferretdb $(installed_version) installed at $target"
  exit 0
done

echo "ferretdb: no version of ${versions[*]} could be fetched" >&2
exit 1
