#!/usr/bin/env bash
# Installs (as root, from Debian's packages) and starts the PostgreSQL 15 and Redis 7 servers that the
# integration suites use, on loopback ports of their own, then prints the variables the tests read.
# Idempotent: a second run finds the servers already up. Use it as:  eval "$(bash .ci/services.sh)"
set -euo pipefail

PG_PORT=${PG_PORT:-54329}
REDIS_PORT=${REDIS_PORT:-63799}
STATE_DIR=${SERVICES_DIR:-/tmp/ngo-bot-services}

log() { echo "services: $*" >&2; }

need_packages=()
command -v redis-server >/dev/null 2>&1 || need_packages+=(redis-server)
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || need_packages+=(postgresql)
# The sandbox's browser tests drive Debian's Chromium (test/browser); no browser is downloaded.
command -v chromium >/dev/null 2>&1 || need_packages+=(chromium)
if [ ${#need_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "missing ${need_packages[*]}; run this script as root so that it can apt-get install them"; exit 1
  fi
  log "installing ${need_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >&2
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

mkdir -p "$STATE_DIR"
# PostgreSQL refuses to run as root: run it as the postgres account that the Debian package creates.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PGDATA="$STATE_DIR/pg"
if ! as_pg "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    [ "$(id -u)" = 0 ] && { mkdir -p "$PGDATA"; chown postgres:postgres "$STATE_DIR" "$PGDATA"; }
    as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >&2
  fi
  # Durability is not what these throwaway test servers are for: skip fsync to keep the suites fast.
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$STATE_DIR/pg.log" -w -t 60 start \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -k $STATE_DIR" >&2
fi

if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --logfile "$STATE_DIR/redis.log" --dir "$STATE_DIR" >&2
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

log "PostgreSQL on 127.0.0.1:$PG_PORT, Redis on 127.0.0.1:$REDIS_PORT"
echo "export TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
echo "export TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
