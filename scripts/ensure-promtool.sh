#!/usr/bin/env bash
# Installs Debian's prometheus package for its promtool (the metrics lint) and prometheus (the real
# scrape test) binaries, unless promtool is already there. The package's own service is never left
# running or enabled: the tests start their own Prometheus on a free port.
set -euo pipefail
if command -v promtool >/dev/null && command -v prometheus >/dev/null; then
  promtool --version 2>&1 | head -1
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "promtool is missing and apt-get is not available: install Prometheus's promtool by hand" >&2
  exit 1
fi
# Without a policy-rc.d that says no, the package's maintainer scripts would start the service.
policy=/usr/sbin/policy-rc.d
added_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added_policy=true
fi
trap '$added_policy && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends prometheus >/dev/null
# Not enabled at boot, whichever init system the machine has, and not running now.
if command -v deb-systemd-helper >/dev/null; then deb-systemd-helper disable prometheus.service >/dev/null 2>&1 || true; fi
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl disable --now prometheus.service >/dev/null 2>&1 || true
fi
if command -v update-rc.d >/dev/null; then update-rc.d prometheus disable >/dev/null 2>&1 || true; fi
if [ -x /etc/init.d/prometheus ]; then /etc/init.d/prometheus stop >/dev/null 2>&1 || true; fi
promtool --version 2>&1 | head -1
