-- Events Kafka refused for good (too large for the topic, an invalid topic name, a record the broker rejects):
-- the relay parks them here and goes on with the rest. A person fixes the cause (the topic's max.message.bytes,
-- the topic) and re-drives them with outbox_redrive_parked(), which writes them to the outbox again.
create table outbox_parked (
    id             uuid         primary key,
    aggregatetype  varchar(64)  not null,
    aggregateid    varchar(64)  not null,
    type           varchar(64)  not null,
    schema_version integer      not null,
    payload        jsonb        not null,
    traceparent    varchar(55),
    error          text         not null,
    parked_at      timestamptz  not null default now()
);

-- Re-drives one parked event (by id), or all of them (no argument): removes it from outbox_parked and writes it to
-- the outbox again, with the same id, so the relay sends it like a new event. Returns how many were re-driven.
create function outbox_redrive_parked(event_id uuid default null) returns integer
language plpgsql as $$
declare
    redriven integer;
begin
    create temporary table redrive on commit drop as
        select * from outbox_parked where event_id is null or id = event_id;
    delete from outbox_parked where id in (select id from redrive);
    delete from outbox where id in (select id from redrive);
    insert into outbox (id, aggregatetype, aggregateid, type, schema_version, payload, timestamp, traceparent)
        select id, aggregatetype, aggregateid, type, schema_version, payload, now(), traceparent
        from redrive order by parked_at, id;
    get diagnostics redriven = row_count;
    drop table redrive;
    return redriven;
end $$;
