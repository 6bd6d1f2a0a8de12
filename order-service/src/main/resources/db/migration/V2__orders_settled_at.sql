-- When stock-service's answer settled the order (CONFIRMED or REJECTED); null while PENDING. What "how long do
-- orders take to settle" is measured from (the pipeline benchmark, an operator's query).
alter table orders add column settled_at timestamptz;
