#!/usr/bin/env bash
# Starts the whole otpflow stack on a machine without Docker: installs what is missing (Node 24,
# FerretDB, RabbitMQ, npm packages), starts RabbitMQ and FerretDB on loopback, builds, and runs every
# service in the foreground (Ctrl-C stops them). Each service has its own port:
#   GATEWAY_PORT (default 8080; PORT is taken as the gateway's port too), DISPATCHER_PORT (8081),
#   METRICS_PORT (8082).
# A port that is already taken stops the script before anything starts, naming the variable to change.
set -euo pipefail
cd "$(dirname "$0")/.."

GATEWAY_PORT="${GATEWAY_PORT:-${PORT:-8080}}"
DISPATCHER_PORT="${DISPATCHER_PORT:-8081}"
METRICS_PORT="${METRICS_PORT:-8082}"
export GATEWAY_PORT DISPATCHER_PORT METRICS_PORT
unset PORT

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

check_ports() {
  local problems=() seen=() variable port
  for variable in GATEWAY_PORT DISPATCHER_PORT METRICS_PORT; do
    port="${!variable}"
    if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
      problems+=("$variable=$port is not a port number (1-65535)")
    elif [[ " ${seen[*]} " == *" $port "* ]]; then
      problems+=("$variable=$port is also the port of another service: give each service its own")
    elif port_taken "$port"; then
      problems+=("$variable=$port is taken: something already listens on port $port (set $variable to a free port)")
    fi
    seen+=("$port")
  done
  if [ "${#problems[@]}" -gt 0 ]; then
    printf 'otpflow stack: %s\n' "${problems[@]}" >&2
    return 1
  fi
}

check_ports
scripts/setup.sh
scripts/services.sh start
. scripts/lib/env.sh
# Checked again: setup and the backing services took time, and another process may have started since.
check_ports
echo "otpflow stack: gateway on :$GATEWAY_PORT, dispatcher on :$DISPATCHER_PORT, metrics on :$METRICS_PORT"
exec npm start
