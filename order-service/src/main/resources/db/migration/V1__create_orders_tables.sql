create table orders (
    id             uuid          primary key,
    customer_id    varchar(64)   not null,
    customer_email varchar(254)  not null,
    status         varchar(16)   not null check (status in ('PENDING', 'CONFIRMED', 'REJECTED')),
    total          numeric(14,2) not null check (total >= 0),
    created_at     timestamptz   not null,
    version        integer       not null
);

create table order_lines (
    order_id   uuid          not null references orders (id) on delete cascade,
    line_no    integer       not null,
    product_id varchar(64)   not null,
    quantity   integer       not null check (quantity > 0),
    unit_price numeric(12,2) not null check (unit_price >= 0),
    primary key (order_id, line_no)
);

-- A client's Idempotency-Key claims one order. request_hash tells a retry (same body) from a misuse (another body).
create table idempotency_keys (
    key          varchar(255) primary key,
    request_hash char(64)     not null,
    order_id     uuid         not null references orders (id) deferrable initially deferred,
    created_at   timestamptz  not null
);
