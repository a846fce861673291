#!/usr/bin/env bash
# Installs what the image scripts need from Debian's packages when any of it is missing: podman (with
# runc, which works here where crun does not), debootstrap for the base image, and the helpers podman
# runs rootless or on an overlay (fuse-overlayfs, slirp4netns, uidmap). Uses sudo only when not root.
set -euo pipefail
. "$(dirname "$0")/common.sh"

missing=()
for tool in podman:podman runc:runc debootstrap:debootstrap fuse-overlayfs:fuse-overlayfs \
  slirp4netns:slirp4netns newuidmap:uidmap; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "missing: ${missing[*]}, and apt-get is not available: install them by hand" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get -o DPkg::Lock::Timeout=600 update -qq
  as_root apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
podman --version
runc --version | head -1
