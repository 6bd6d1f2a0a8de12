-- The outbox in Debezium's outbox shape. One row per event, written in the same transaction as the
-- business change it announces. aggregatetype names the Kafka topic, aggregateid is the record key.
create table outbox (
    id             uuid        primary key,
    aggregatetype  varchar(64) not null,
    aggregateid    varchar(64) not null,
    type           varchar(64) not null,
    schema_version integer     not null check (schema_version > 0),
    payload        jsonb       not null,
    timestamp      timestamptz not null,
    traceparent    varchar(55)
);
