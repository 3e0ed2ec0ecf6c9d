#!/usr/bin/env bash
# Back up OpenMARAC's PostgreSQL database to one file: scripts/backup.sh FILE
# Reads the database from DATABASE_URL. The dump is in PostgreSQL's custom format (compressed, restorable
# table by table). It holds everything, encrypted fields still encrypted: the keys are not in it, so keep
# OPENMARAC_FIELD_ENCRYPTION_KEYS backed up separately, never beside the dump.
set -euo pipefail
target=${1:?usage: scripts/backup.sh FILE}
: "${DATABASE_URL:?Set DATABASE_URL to the database to back up}"
bindir=$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
"$bindir/pg_dump" --format=custom --no-owner --no-privileges --file="$target" "$DATABASE_URL"
echo "Backed up to $target"
