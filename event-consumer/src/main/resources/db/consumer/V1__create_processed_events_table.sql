-- Events whose effects are done, per consumer group: recorded in the transaction of the effect.
-- "if not exists": before the library was split, this table came with the outbox's migrations (its V3), so a
-- database from then already has it.
create table if not exists processed_events (
    consumer_group varchar(64) not null,
    event_id       uuid        not null,
    processed_at   timestamptz not null,
    primary key (consumer_group, event_id)
);
