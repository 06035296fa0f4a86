# shellcheck shell=bash
# The container engine the image scripts and tests use, sourced after scripts/lib/env.sh:
#   - OTPFLOW_CONTAINER_ENGINE (docker or podman) when set;
#   - otherwise Docker when a Docker engine answers;
#   - otherwise podman (Debian's, installed by scripts/install-podman.sh; runc as its runtime).
# The same commands work with both: build, run, import, image inspect, rm.

otpflow_container_engine() {
  if [ -n "${OTPFLOW_CONTAINER_ENGINE:-}" ]; then
    echo "$OTPFLOW_CONTAINER_ENGINE"
  elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    echo docker
  else
    echo podman
  fi
}

OTPFLOW_CONTAINER_ENGINE="$(otpflow_container_engine)"
# The images the scripts build, as docker-compose.yml names them (otpflow/<service>:dev).
OTPFLOW_IMAGE_TAG="${OTPFLOW_IMAGE_TAG:-dev}"
export OTPFLOW_CONTAINER_ENGINE OTPFLOW_IMAGE_TAG
