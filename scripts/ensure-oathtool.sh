#!/usr/bin/env bash
# Installs Debian's oathtool (the reference TOTP implementation the second-factor tests check codes
# against), unless it is already there. sudo only when not root.
set -euo pipefail
if command -v oathtool >/dev/null; then
  oathtool --version | head -1
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "oathtool is missing and apt-get is not available: install oathtool by hand" >&2
  exit 1
fi
as_root=()
if [ "$(id -u)" -ne 0 ]; then as_root=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends oathtool >/dev/null
oathtool --version | head -1
