-- Events whose effects are done, per consumer group: recorded in the transaction of the effect.
create table processed_events (
    consumer_group varchar(64) not null,
    event_id       uuid        not null,
    processed_at   timestamptz not null,
    primary key (consumer_group, event_id)
);
