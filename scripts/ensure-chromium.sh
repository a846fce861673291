#!/usr/bin/env bash
# Installs Debian's chromium package (/usr/bin/chromium) for the passkey browser test, unless it is
# there already. apt-get runs through sudo only when this shell is not root.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  /usr/bin/chromium --version 2>/dev/null | head -1
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "chromium is missing and apt-get is not available: install Chromium at /usr/bin/chromium by hand" >&2
  exit 1
fi
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "chromium is missing, and installing it needs root or sudo" >&2
    exit 1
  fi
  as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version 2>/dev/null | head -1
