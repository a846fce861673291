# Shared by the scripts of scripts/images/ (sourced, not run): where things are, and the podman
# options every build and run here needs.
# shellcheck shell=bash

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The base image's tarball is kept here between runs, named after what it was built from.
IMAGE_CACHE_DIR=${IMAGE_CACHE_DIR:-/var/cache/auth-user-platform/images}
# The name the Dockerfile's FROM (its NODE_IMAGE default) resolves to.
BASE_IMAGE=${BASE_IMAGE:-docker.io/library/node:24-bookworm-slim}
# The images build.sh tags, one per service (SERVICE=auth|user).
IMAGE_PREFIX=${IMAGE_PREFIX:-localhost/auth-user-platform}
SERVICES=(auth user)

# Runs a command as root: directly when this is root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# crun fails on these machines; runc works. A container gets only the limits podman can set, so both
# are given: this shell's hard limits, no higher than the kernel allows (a process limit above pid_max
# is refused here, and could never be reached anyway).
PODMAN_RUNTIME=${PODMAN_RUNTIME:-runc}
ulimit_args() {
  local nofile nproc cap
  nofile=$(ulimit -Hn)
  nproc=$(ulimit -Hu)
  cap=$(cat /proc/sys/fs/nr_open 2>/dev/null || echo 1048576)
  if [ "$nofile" = unlimited ] || [ "$nofile" -gt "$cap" ]; then nofile=$cap; fi
  cap=$(cat /proc/sys/kernel/pid_max 2>/dev/null || echo 32768)
  if [ "$nproc" = unlimited ] || [ "$nproc" -gt "$cap" ]; then nproc=$cap; fi
  printf -- '--ulimit=nofile=%s:%s --ulimit=nproc=%s:%s' "$nofile" "$nofile" "$nproc" "$nproc"
}

# Seconds since the epoch, with fractions, for the timings the scripts print.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
