#!/usr/bin/env bash
# Builds the two service images from the Dockerfile with podman, offline except for the npm and
# Debian mirrors the build's RUN steps use: the base image must be there already (build-base.sh), so
# nothing is pulled. Tags auth-user-platform/<service>:local (compose's names; podman prefixes
# localhost/). Prints each build's time, the image's size and its layers. Arguments: the services to
# build (default: auth user).
#   - --format docker: the OCI format has no HEALTHCHECK, and podman would drop the Dockerfile's;
#   - --network host: RUN steps reach the mirrors as this machine does, with no bridge to set up;
#   - the host's CA bundle is mounted read-only and named to the npm ci step (NPM_CA_FILE), for
#     registries reached through a TLS-inspecting proxy; it stays out of every layer.
set -euo pipefail
. "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"

services=("$@")
[ ${#services[@]} -gt 0 ] || services=("${SERVICES[@]}")
if ! podman image exists "$BASE_IMAGE"; then
  echo "$BASE_IMAGE is missing: run scripts/images/build-base.sh first" >&2
  exit 1
fi
ca_args=()
if [ -s /etc/ssl/certs/ca-certificates.crt ]; then
  ca_args=(-v /etc/ssl/certs:/run/host-ssl-certs:ro --build-arg NPM_CA_FILE=/run/host-ssl-certs/ca-certificates.crt)
fi
# shellcheck disable=SC2207
ulimits=($(ulimit_args))

mb() { awk '{ printf "%.0f MB", $1 / 1e6 }'; }
for service in "${services[@]}"; do
  image="$IMAGE_PREFIX/$service:local"
  started=$(now)
  podman build --runtime "$PODMAN_RUNTIME" --format docker --pull=never --network host --layers \
    "${ulimits[@]}" "${ca_args[@]}" --build-arg "SERVICE=$service" --target runtime \
    -t "$image" -f Dockerfile . >"${BUILD_LOG_DIR:-/tmp}/image-build-$service.log" 2>&1 || {
    tail -n 40 "${BUILD_LOG_DIR:-/tmp}/image-build-$service.log" >&2
    echo "building $image failed (log: ${BUILD_LOG_DIR:-/tmp}/image-build-$service.log)" >&2
    exit 1
  }
  seconds=$(elapsed "$started")
  grep '^slim-runtime:' "${BUILD_LOG_DIR:-/tmp}/image-build-$service.log" | sed 's/^/  /' || true
  echo "$image: built in $seconds s, $(podman image inspect --format '{{.Size}}' "$image" | mb)"
  # The layers, newest first: size and the instruction that made it.
  podman history --format '{{.Size}}\t{{.CreatedBy}}' "$image" \
    | awk -F'\t' '{ printf "  %9s  %s\n", $1, substr($2, 1, 90) }'
done
