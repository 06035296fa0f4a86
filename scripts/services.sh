#!/usr/bin/env bash
# Starts (or stops) the backing services otpflow needs on a machine without Docker:
#   - FerretDB (MongoDB wire protocol) on 127.0.0.1:${FERRETDB_PORT:-27017}, PostgreSQL backend when a
#     local PostgreSQL answers, SQLite otherwise;
#   - RabbitMQ on 127.0.0.1:5672, installed from Debian's packages if it is missing.
# Usage: scripts/services.sh start|stop|status
set -euo pipefail
. "$(dirname "$0")/lib/env.sh"

FERRETDB_PORT="${FERRETDB_PORT:-27017}"
FERRETDB_BACKEND="${FERRETDB_BACKEND:-auto}"
ferret_dir="$OTPFLOW_STATE_DIR/ferretdb"
ferret_pid="$ferret_dir/ferretdb.pid"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local port=$1 what=$2 tries=${3:-60}
  for _ in $(seq "$tries"); do
    port_open "$port" && return 0
    sleep 0.5
  done
  echo "$what did not open 127.0.0.1:$port" >&2
  return 1
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

postgres_available() {
  command -v psql >/dev/null && psql -h 127.0.0.1 -U postgres -Atqc 'select 1' >/dev/null 2>&1
}

start_ferretdb() {
  if port_open "$FERRETDB_PORT"; then
    echo "mongodb-compatible server already listening on 127.0.0.1:$FERRETDB_PORT"
    return 0
  fi
  "$OTPFLOW_ROOT/scripts/install-ferretdb.sh" >/dev/null
  mkdir -p "$ferret_dir"
  local backend=$FERRETDB_BACKEND
  if [ "$backend" = auto ]; then
    if postgres_available; then backend=postgresql; else backend=sqlite; fi
  fi
  local args=(--listen-addr="127.0.0.1:$FERRETDB_PORT" --state-dir="$ferret_dir" --telemetry=disable
    --debug-addr=- --log-level=WARN --handler="$backend")
  if [ "$backend" = postgresql ]; then
    psql -h 127.0.0.1 -U postgres -Atqc "select 1 from pg_database where datname='ferretdb'" | grep -q 1 ||
      psql -h 127.0.0.1 -U postgres -qc 'create database ferretdb' >/dev/null
    # FerretDB v1 answers most lookups with a sequential scan; PostgreSQL would start parallel workers
    # (new processes) for every scan of a table past 8 MB, which cost more than they save at this size
    # (docs/BENCHMARKS.md: validate-code ×1.6–1.9 without them). Applies to new connections.
    psql -h 127.0.0.1 -U postgres -qc 'alter database ferretdb set max_parallel_workers_per_gather = 0' >/dev/null
    args+=(--postgresql-url="postgres://postgres@127.0.0.1:5432/ferretdb")
  else
    mkdir -p "$ferret_dir/sqlite"
    args+=(--sqlite-url="file:$ferret_dir/sqlite/")
  fi
  setsid nohup ferretdb "${args[@]}" >"$ferret_dir/ferretdb.log" 2>&1 </dev/null &
  echo $! >"$ferret_pid"
  wait_port "$FERRETDB_PORT" FerretDB || { tail -20 "$ferret_dir/ferretdb.log" >&2; return 1; }
  echo "FerretDB ($backend backend) listening on 127.0.0.1:$FERRETDB_PORT, log $ferret_dir/ferretdb.log"
}

stop_ferretdb() {
  [ -f "$ferret_pid" ] && kill "$(cat "$ferret_pid")" 2>/dev/null || true
  rm -f "$ferret_pid"
}

start_rabbitmq() {
  if port_open 5672; then
    echo "RabbitMQ already listening on 127.0.0.1:5672"
  else
    if ! command -v rabbitmq-server >/dev/null; then
      as_root apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
    fi
    as_root rabbitmq-server -detached
    wait_port 5672 RabbitMQ 120
    echo "RabbitMQ started on 127.0.0.1:5672"
  fi
  # The Prometheus endpoint (:15692) is what dashboards scrape for queue depth; enabling is idempotent.
  if command -v rabbitmq-plugins >/dev/null; then
    as_root rabbitmq-plugins enable --quiet rabbitmq_prometheus >/dev/null 2>&1 || true
  fi
}

case "${1:-start}" in
  start) start_rabbitmq && start_ferretdb ;;
  stop) stop_ferretdb ;;
  status)
    port_open 5672 && echo "rabbitmq: up" || echo "rabbitmq: down"
    port_open "$FERRETDB_PORT" && echo "mongodb-compatible: up" || echo "mongodb-compatible: down"
    ;;
  *) echo "usage: $0 start|stop|status" >&2 && exit 2 ;;
esac
