-- The relay's heartbeat writes here, so the replication slot advances while the outbox is quiet.
create table outbox_heartbeat (
    id      bigint      generated always as identity primary key,
    beat_at timestamptz not null default now()
);

-- What logical decoding sends the relay: inserts into these two tables, nothing else. Retention deletes
-- are not published.
create publication outbox_publication for table outbox, outbox_heartbeat with (publish = 'insert');

-- Where Debezium's JDBC offset store keeps the relay's position (its expected shape; it rewrites all rows on
-- each flush). In the service's own database, so the position survives container restarts and redeploys.
create table outbox_relay_offsets (
    id                varchar(36) primary key,
    offset_key        varchar(1255),
    offset_val        varchar(1255),
    record_insert_ts  timestamp   not null,
    record_insert_seq integer     not null
);
