-- Where each event was read (topic, partition, offset), so a replay with "reprocess" can find the mails of the
-- replayed offsets and mark them RESEND: the claim then takes them again and the mail goes out once more.
alter table mail_log
    add column source_topic     varchar(249),
    add column source_partition integer,
    add column source_offset    bigint,
    drop constraint mail_log_status_check,
    add constraint mail_log_status_check check (status in ('SENDING', 'SENT', 'RESEND'));

create index mail_log_source_position on mail_log (source_topic, source_partition, source_offset);
