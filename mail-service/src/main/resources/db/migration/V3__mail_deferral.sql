-- A mail whose recipient's side keeps answering "not now" (an SMTP 4xx for this mail) is DEFERRED after a while,
-- as mail servers do: kept here ready to send (message), retried by the deferred-mail job at next_attempt_at with
-- growing delays, so the event's partition moves on. FAILED: not delivered within the give-up time, or refused for
-- good on a retry. last_error: the last SMTP answer.
alter table mail_log
    add column next_attempt_at timestamptz,
    add column last_error      text,
    add column message         bytea,
    drop constraint mail_log_status_check,
    add constraint mail_log_status_check
        check (status in ('SENDING', 'SENT', 'RESEND', 'DEFERRED', 'FAILED'));

create index mail_log_deferred on mail_log (next_attempt_at) where status = 'DEFERRED';
