#!/bin/bash
# Entry point of the streaming standby (docker-compose.ha.yml): on the first start, copies the primary with
# pg_basebackup through the physical slot made for it (deploy/postgres/replication.sh) and writes the standby's
# connection settings (-R: standby.signal and primary_conninfo, with the database name that slot synchronisation
# needs); then runs the server with the options given as arguments. After `select pg_promote()` the same data
# directory is a primary, and a restart keeps it one.
set -euo pipefail

if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA"
    chown postgres "$PGDATA"
    chmod 0700 "$PGDATA"
    exec gosu postgres "${BASH_SOURCE[0]}" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    PGPASSWORD="${REPLICATION_PASSWORD:?}" pg_basebackup \
        --dbname="host=${PRIMARY_HOST:?} port=5432 user=replicator dbname=postgres" \
        --pgdata="$PGDATA" --wal-method=stream --slot="${STANDBY_SLOT_NAME:?}" --write-recovery-conf \
        --checkpoint=fast --progress
fi

exec postgres "$@"
