#!/usr/bin/env bash
# Builds the stand-ins test/images/compose.ci.yml puts in place of the images no registry can give
# here (mongo, rabbitmq), from the same local base image as the service images. Cached by the engine:
# seconds once built. Prints nothing but errors and the build steps.
set -euo pipefail
cd "$(dirname "$0")/../../.."
. scripts/lib/env.sh
. scripts/lib/containers.sh

engine="$OTPFLOW_CONTAINER_ENGINE"
node_image="${NODE_IMAGE:-$(scripts/build-node-image.sh)}"
args=(--build-arg "NODE_IMAGE=$node_image")
[ "$engine" = podman ] && args+=(--pull=never --layers --format docker)

"$engine" build "${args[@]}" -f test/images/compose/rabbitmq.Dockerfile -t otpflow-ci/rabbitmq:debian test/images/compose >&2

context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
scripts/install-ferretdb.sh >/dev/null
cp "$(command -v ferretdb)" "$context/ferretdb"
cp test/images/compose/ferretdb.Dockerfile "$context/Dockerfile"
"$engine" build "${args[@]}" -t otpflow-ci/ferretdb:local "$context" >&2
echo "$node_image"
