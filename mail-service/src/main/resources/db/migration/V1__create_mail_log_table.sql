-- One row per event that asks for a mail. SENDING is committed before the SMTP conversation and SENT after it,
-- so a redelivered event never mails twice once SENT; a crash between the two re-sends (the window left open).
create table mail_log (
    event_id   uuid         primary key,
    order_id   uuid         not null,
    kind       varchar(32)  not null,
    recipient  varchar(254) not null,
    status     varchar(16)  not null check (status in ('SENDING', 'SENT')),
    attempts   integer      not null,
    created_at timestamptz  not null,
    sent_at    timestamptz
);
