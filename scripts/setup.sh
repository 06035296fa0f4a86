#!/usr/bin/env bash
# Installs everything otpflow needs on a fresh Debian machine with Node and Go but no Docker:
# Node 24 LTS (scripts/lib/env.sh), FerretDB, kustomize, a container engine, the Debian tools the tests use,
# and the npm packages.
# Idempotent: what is already there is kept, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/env.sh

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

scripts/install-ferretdb.sh
# kustomize, to render the Kubernetes manifests in test/deploy.
scripts/install-kustomize.sh

# A container engine (podman with runc, or Docker where one answers), debootstrap and podman-compose:
# CI builds the three images and runs them, and the compose stack (test/images).
scripts/install-podman.sh

# Prometheus and promtool: the observability tests check the alert and recording rules with promtool
# and run every dashboard query against a real Prometheus scraping the services.
if ! command -v promtool >/dev/null; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

# npm packages: a clean install when the lock file changed since the last one.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
