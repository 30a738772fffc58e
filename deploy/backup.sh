#!/bin/sh
# Nightly dump of the Tillit database (run by tillit-backup.timer). A custom-format dump,
# restored with pg_restore; dumps older than KEEP_DAYS are removed. DATABASE_URL comes from
# /etc/tillit/tillit.env. Copy the dumps off the machine as well (another site or bucket).
set -eu
BACKUP_DIR="${BACKUP_DIR:-/var/backups/tillit}"
KEEP_DAYS="${KEEP_DAYS:-14}"
stamp="$(date +%Y-%m-%dT%H%M)"
mkdir -p "$BACKUP_DIR"
# Written under a temporary name, so a failed dump never looks like a finished one.
pg_dump --format=custom --no-owner --file="$BACKUP_DIR/tillit-$stamp.dump.part" "$DATABASE_URL"
mv "$BACKUP_DIR/tillit-$stamp.dump.part" "$BACKUP_DIR/tillit-$stamp.dump"
find "$BACKUP_DIR" -name 'tillit-*.dump' -mtime +"$KEEP_DAYS" -delete
find "$BACKUP_DIR" -name 'tillit-*.dump.part' -mtime +1 -delete
