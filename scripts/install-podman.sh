#!/usr/bin/env bash
# Makes a container engine available to build and run the images (scripts/build-images.sh, test/images):
# nothing to install when a Docker engine answers. Otherwise Debian's podman, with runc (crun refuses the
# cgroup layout of these machines), debootstrap (the base image is built locally: there is no registry)
# podman-compose (the compose stack) and the CNI dnsname plugin (service names resolve on a compose
# network: podman 4.3 uses CNI here), plus one containers.conf drop-in:
#   - default_ulimits = []: the VM refuses the default rlimits podman sets on every container;
#   - runtime = "runc": for `podman run` and for the RUN steps of `podman build` alike.
# Idempotent: a second run checks and returns.
set -euo pipefail
. "$(dirname "$0")/lib/containers.sh"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ "$OTPFLOW_CONTAINER_ENGINE" = docker ]; then
  echo "container engine: docker ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo unknown))"
  exit 0
fi

missing=()
for tool in podman:podman runc:runc debootstrap:debootstrap podman-compose:podman-compose; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
[ -x /usr/lib/cni/dnsname ] || missing+=(golang-github-containernetworking-plugin-dnsname)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]} from Debian's packages" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

dropin=/etc/containers/containers.conf.d/otpflow.conf
wanted='# Written by otpflow scripts/install-podman.sh.
[containers]
# The VM refuses the default rlimits podman would set on every container.
default_ulimits = []

[engine]
# crun refuses the cgroup layout of these machines; runc works.
runtime = "runc"'
if [ "$(cat "$dropin" 2>/dev/null)" != "$wanted" ]; then
  as_root mkdir -p "$(dirname "$dropin")"
  printf '%s\n' "$wanted" | as_root tee "$dropin" >/dev/null
fi

runtime="$(podman info --format '{{.Host.OCIRuntime.Name}}')"
[ "$runtime" = runc ] || {
  echo "podman uses the OCI runtime '$runtime', not runc: is $dropin overridden?" >&2
  exit 1
}
echo "container engine: podman $(podman version --format '{{.Client.Version}}') with runc"
