#!/usr/bin/env bash
# Starts the local PostgreSQL and RabbitMQ when they are installed but not running. Suites that need
# them skip loudly when they are unreachable (and fail when CI is set).
set -uo pipefail

if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
  pg_isready -h 127.0.0.1 -p 5432 || echo "PostgreSQL is not reachable on 127.0.0.1:5432"
else
  echo "PostgreSQL is not installed here"
fi

if command -v rabbitmqctl >/dev/null; then
  if ! rabbitmqctl -q await_startup --timeout 2 >/dev/null 2>&1; then
    rabbitmq-server -detached >/dev/null 2>&1 || true
    for _ in $(seq 1 60); do rabbitmqctl -q await_startup --timeout 2 >/dev/null 2>&1 && break; sleep 1; done
    # A node started while the app was stopped by a fault test comes back with the app stopped.
    rabbitmqctl -q start_app >/dev/null 2>&1 || true
  fi
  rabbitmqctl -q await_startup --timeout 5 >/dev/null 2>&1 && echo "RabbitMQ is up" || echo "RabbitMQ is not reachable"
else
  echo "RabbitMQ is not installed here"
fi
exit 0
