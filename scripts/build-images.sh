#!/usr/bin/env bash
# Builds the three service images from deploy/Dockerfile, as a user does, with nothing changed but
# NODE_IMAGE: otpflow/gateway, otpflow/dispatcher and otpflow/metrics, tagged OTPFLOW_IMAGE_TAG (dev,
# the tag docker-compose.yml names). Then prints each image's size and the build times.
#
#   scripts/build-images.sh                          # podman (or Docker when an engine answers)
#   NODE_IMAGE=node:24-bookworm-slim scripts/build-images.sh   # a registry's base image instead
#
# Without NODE_IMAGE the base image is built locally (scripts/build-node-image.sh; no registry here).
# The engine's layer cache makes a second build take seconds when nothing changed, and a source change
# rebuild from `npm run build` on: the compile stage is shared by the three images.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/env.sh
. scripts/lib/containers.sh

engine="$OTPFLOW_CONTAINER_ENGINE"
started=$SECONDS
node_image="${NODE_IMAGE:-$(scripts/build-node-image.sh)}"
base_seconds=$((SECONDS - started))

build_args=(--file deploy/Dockerfile --build-arg "NODE_IMAGE=$node_image")
if [ "$engine" = podman ]; then
  # The base image is local: never try a registry for it. --layers keeps every stage cached; the
  # docker format keeps the image's HEALTHCHECK (the OCI format has no such field).
  build_args+=(--pull=never --layers --format docker)
fi

declare -A seconds
for service in gateway dispatcher metrics; do
  service_started=$SECONDS
  echo "building otpflow/$service:$OTPFLOW_IMAGE_TAG ($engine, NODE_IMAGE=$node_image)" >&2
  "$engine" build "${build_args[@]}" --build-arg "SERVICE=$service" \
    --tag "otpflow/$service:$OTPFLOW_IMAGE_TAG" . >&2
  seconds[$service]=$((SECONDS - service_started))
done

echo
echo "images built by $engine in $((SECONDS - started)) s (base image $base_seconds s)"
printf '%-28s %10s %8s\n' image size build
for service in gateway dispatcher metrics; do
  bytes="$("$engine" image inspect --format '{{.Size}}' "otpflow/$service:$OTPFLOW_IMAGE_TAG")"
  printf '%-28s %7s MB %6s s\n' "otpflow/$service:$OTPFLOW_IMAGE_TAG" "$((bytes / 1000000))" "${seconds[$service]}"
done
