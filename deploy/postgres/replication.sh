#!/bin/bash
# Runs once, when the postgres data volume is new, after init-databases.sh; does nothing unless REPLICATION_PASSWORD is
# set (docker-compose.ha.yml). Prepares this server to be the primary of a streaming standby:
# - the role the standby connects as: physical replication, and reading the primary's slots from the database postgres
#   (the standby's slot sync worker connects to the database named in its primary_conninfo);
# - the standby's physical slot, reserved at once, so the primary keeps the WAL the standby has not received, and so
#   synchronized_standby_slots can name it from the first start: logical walsenders (the relays) send nothing the
#   standby has not received, which is what lets the standby's copy of a relay's slot be used after a failover;
# - a pg_hba line for physical replication connections (the image's own line, "host all all all", does not cover
#   them).
set -euo pipefail

if [ -z "${REPLICATION_PASSWORD:-}" ]; then
    exit 0
fi

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    --set password="$REPLICATION_PASSWORD" \
    --set slot="${STANDBY_SLOT_NAME:?}" <<'SQL'
create role replicator login replication password :'password';
grant connect on database postgres to replicator;
select pg_create_physical_replication_slot(:'slot', true);
SQL

echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
