#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster in a temporary folder, then removes the cluster.
# Uses Debian's PostgreSQL server binaries (installing the postgresql package if they are missing).
# initdb refuses to run as root, so as root the cluster runs as the postgres user.
# Beside it, a hot standby streams from it on the next port (pg_basebackup -R), exported as
# OPENMARAC_REPLICA_DATABASE_URL so that the read-replica router is tested against a real replica;
# OPENMARAC_PG_REPLICA=0 leaves it out (the load benchmark does).
set -euo pipefail
bindir=$(pg_config --bindir 2>/dev/null || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "Installing Debian's postgresql package for the test cluster..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
dir=$(mktemp -d /tmp/openmarac-pg.XXXXXX)
port=${OPENMARAC_PG_PORT:-$((20000 + RANDOM % 20000))}
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
cleanup() {
  if [ -d "$dir/replica" ]; then as_owner "$bindir/pg_ctl" -D "$dir/replica" -m immediate stop >/dev/null 2>&1 || true; fi
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:$port/openmarac"
if [ "${OPENMARAC_PG_REPLICA:-1}" != 0 ]; then
  replica_port=$((port + 1))
  as_owner "$bindir/pg_basebackup" -h 127.0.0.1 -p "$port" -U postgres -D "$dir/replica" -R -X stream --checkpoint=fast
  as_owner "$bindir/pg_ctl" -D "$dir/replica" -l "$dir/replica.log" -w -o "-p $replica_port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  export OPENMARAC_REPLICA_DATABASE_URL="postgres://postgres@127.0.0.1:$replica_port/openmarac"
fi
"$@"
