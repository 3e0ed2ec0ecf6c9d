#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database: scripts/restore.sh FILE
# Reads the target database from DATABASE_URL; it must exist and be empty (createdb first). The audit
# trail's append-only triggers come back with the schema.
set -euo pipefail
source=${1:?usage: scripts/restore.sh FILE}
: "${DATABASE_URL:?Set DATABASE_URL to the empty database to restore into}"
bindir=$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
"$bindir/pg_restore" --no-owner --no-privileges --exit-on-error --dbname="$DATABASE_URL" "$source"
echo "Restored $source"
