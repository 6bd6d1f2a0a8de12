#!/bin/bash
# Runs once, when the postgres data volume is new (official image: /docker-entrypoint-initdb.d).
# One database and one user per service. Each user owns its database, because Flyway creates the tables and the
# outbox publication as that user, and may connect to no other. Only the services that run an outbox relay
# (orders, stock) get REPLICATION, which logical decoding needs; mail-service publishes nothing.
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    --set orders_password="${ORDERS_DB_PASSWORD:?}" \
    --set stock_password="${STOCK_DB_PASSWORD:?}" \
    --set mail_password="${MAIL_DB_PASSWORD:?}" <<'SQL'
create role orders login replication password :'orders_password';
create role stock login replication password :'stock_password';
create role mail login password :'mail_password';

create database orders owner orders;
create database stock owner stock;
create database mail owner mail;

revoke all on database orders, stock, mail, postgres from public;
SQL
