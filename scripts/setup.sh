#!/usr/bin/env bash
# Installs everything otpflow needs on a fresh Debian machine with Node and Go but no Docker:
# Node 24 LTS (scripts/lib/env.sh), FerretDB, the Debian tools the tests use, and the npm packages.
# Idempotent: what is already there is kept, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/env.sh

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

scripts/install-ferretdb.sh

# npm packages: a clean install when the lock file changed since the last one.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
