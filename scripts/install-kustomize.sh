#!/usr/bin/env bash
# Makes kustomize available for the manifest tests (test/deploy): nothing to do when `kustomize` or
# `kubectl kustomize` already works; otherwise `go install` of the pinned kustomize into the Go bin
# folder (on PATH through scripts/lib/env.sh), and Debian's kubectl as a last resort.
set -euo pipefail

KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.5.0}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

gobin="$(go env GOBIN 2>/dev/null || true)"
[ -n "$gobin" ] || gobin="$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"
PATH="$gobin:$PATH"

if command -v kustomize >/dev/null 2>&1; then
  echo "kustomize $(kustomize version 2>/dev/null) already installed"
  exit 0
fi
if command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1; then
  echo "kubectl kustomize available ($(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: //p'))"
  exit 0
fi

if command -v go >/dev/null 2>&1; then
  echo "kustomize: go install sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" >&2
  if go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"; then
    "$gobin/kustomize" version
    exit 0
  fi
fi

echo "kustomize: installing Debian's kubectl" >&2
as_root apt-get update -qq
as_root apt-get install -y -qq kubectl
kubectl version --client
