#!/usr/bin/env bash
# A three-node RabbitMQ cluster on this machine, for trying otpflow against a cluster (failover, quorum
# leader changes) the way test/faults/rabbitmq-cluster does. It never touches the RabbitMQ on 5672.
#   scripts/rabbitmq-cluster.sh start|stop|status|env
# Each node has its own node name, AMQP, distribution and management ports and data directory under
# $OTPFLOW_STATE_DIR/rabbitmq-cluster; they share an Erlang cookie. Ports: RABBITMQ_CLUSTER_PORT (AMQP
# of the first node, default 5681; the others follow), management on 10000 above, distribution on
# 20000 above. `env` prints the settings the services need to use it.
set -euo pipefail
. "$(dirname "$0")/lib/env.sh"

base_port="${RABBITMQ_CLUSTER_PORT:-5681}"
nodes=(1 2 3)
home="$OTPFLOW_STATE_DIR/rabbitmq-cluster"
server=/usr/lib/rabbitmq/bin/rabbitmq-server
ctl=/usr/lib/rabbitmq/bin/rabbitmqctl

node_name() { echo "otpflow-local-$1@localhost"; }
amqp_port() { echo $((base_port + $1 - 1)); }
mgmt_port() { echo $((base_port + 10000 + $1 - 1)); }
dist_port() { echo $((base_port + 20000 + $1 - 1)); }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Runs a command with node $1's environment: its own files, the cluster's cookie (in $HOME).
with_node() {
  local n=$1 dir="$home/node$1"
  shift
  env -i PATH="/usr/bin:/bin" LANG=C.UTF-8 HOME="$home" ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_NODENAME="$(node_name "$n")" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$(amqp_port "$n")" RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" RABBITMQ_MNESIA_BASE="$dir/mnesia" \
    RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_LOGS="$dir/log/node.log" "$@"
}

prepare() {
  [ -x "$server" ] || {
    echo "rabbitmq-server is not installed (scripts/services.sh installs it)" >&2
    exit 1
  }
  mkdir -p "$home"
  if [ ! -f "$home/.erlang.cookie" ]; then
    head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr a-f A-F >"$home/.erlang.cookie"
    chmod 400 "$home/.erlang.cookie"
  fi
  for n in "${nodes[@]}"; do
    local dir="$home/node$n"
    mkdir -p "$dir/log"
    : >"$dir/rabbitmq-env.conf"
    echo '[rabbitmq_management,rabbitmq_prometheus].' >"$dir/enabled_plugins"
    {
      echo "listeners.tcp.local = 127.0.0.1:$(amqp_port "$n")"
      echo "distribution.listener.port_range.min = $(dist_port "$n")"
      echo "distribution.listener.port_range.max = $(dist_port "$n")"
      echo "distribution.listener.interface = 127.0.0.1"
      echo "management.tcp.port = $(mgmt_port "$n")"
      echo "management.tcp.ip = 127.0.0.1"
      # The shared broker's Prometheus endpoint is 15692: each node gets its own.
      echo "prometheus.tcp.port = $((base_port + 10100 + n - 1))"
      echo "prometheus.tcp.ip = 127.0.0.1"
      echo "disk_free_limit.absolute = 50MB"
      if [ "$n" != 1 ]; then
        echo "cluster_formation.peer_discovery_backend = classic_config"
        echo "cluster_formation.classic_config.nodes.1 = $(node_name 1)"
      fi
    } >"$dir/rabbitmq.conf"
    # docs/deployment.md: retry unconfirmed at-least-once dead letters after 10 s, not 3 minutes.
    echo '[{rabbit, [{dead_letter_worker_publisher_confirm_timeout, 10000}]}].' >"$dir/advanced.config"
  done
}

launch() {
  local n=$1
  if port_open "$(amqp_port "$n")"; then return 0; fi
  # Its own session, so `stop` can end the whole process group if rabbitmqctl cannot.
  with_node "$n" setsid "$server" >"$home/node$n/log/console.log" 2>&1 </dev/null &
  echo $! >"$home/node$n/pid"
}

wait_up() {
  local n=$1
  for _ in $(seq 240); do
    if curl -sf -u guest:guest "http://127.0.0.1:$(mgmt_port "$n")/api/overview" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "node $n did not come up; see $home/node$n/log" >&2
  return 1
}

start() {
  prepare
  # The first boot forms the cluster (node 1 first, the others join it); later starts bring every
  # node up together, as a restarted cluster's members wait for each other.
  if [ ! -d "$home/node1/mnesia" ]; then
    launch 1 && wait_up 1
  fi
  for n in "${nodes[@]}"; do launch "$n"; done
  for n in "${nodes[@]}"; do wait_up "$n"; done
  echo "RabbitMQ cluster up:"
  env_lines
}

stop() {
  for n in "${nodes[@]}"; do
    if [ -f "$home/node$n/pid" ]; then
      with_node "$n" "$ctl" -n "$(node_name "$n")" stop >/dev/null 2>&1 ||
        kill -- "-$(cat "$home/node$n/pid")" 2>/dev/null || true
      rm -f "$home/node$n/pid"
    fi
  done
}

env_lines() {
  local urls="" mgmt=""
  for n in "${nodes[@]}"; do
    urls+="${urls:+,}amqp://guest:guest@127.0.0.1:$(amqp_port "$n")"
    mgmt+="${mgmt:+,}http://127.0.0.1:$(mgmt_port "$n")"
  done
  echo "RABBITMQ_URL=$urls"
  echo "RABBITMQ_MANAGEMENT_URL=$mgmt"
  echo "RABBITMQ_POLICIES=apply"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  env) env_lines ;;
  status)
    for n in "${nodes[@]}"; do
      if port_open "$(amqp_port "$n")"; then echo "$(node_name "$n"): up"; else echo "$(node_name "$n"): down"; fi
    done
    ;;
  *) echo "usage: $0 start|stop|status|env" >&2 && exit 2 ;;
esac
