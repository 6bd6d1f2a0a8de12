-- available can never go below zero: enforced here, not only in Java.
create table products (
    id         varchar(64)  primary key,
    name       varchar(200) not null,
    available  integer      not null check (available >= 0),
    updated_at timestamptz  not null default now()
);

-- What each order holds: written with the stock decrement, in one transaction.
create table reservations (
    order_id    uuid        not null,
    product_id  varchar(64) not null references products (id),
    quantity    integer     not null check (quantity > 0),
    reserved_at timestamptz not null,
    primary key (order_id, product_id)
);
