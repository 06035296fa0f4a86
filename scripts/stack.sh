#!/usr/bin/env bash
# Starts the whole otpflow stack on a machine without Docker: installs what is missing (Node 24,
# FerretDB, RabbitMQ, npm packages), starts RabbitMQ and FerretDB on loopback, builds, and runs every
# service in the foreground (Ctrl-C stops them). The gateway listens on PORT (default 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/services.sh start
. scripts/lib/env.sh
exec npm start
