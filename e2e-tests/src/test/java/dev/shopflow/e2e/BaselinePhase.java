package dev.shopflow.e2e;

import static dev.shopflow.e2e.Figures.percentile;
import static dev.shopflow.e2e.Figures.seconds;
import static dev.shopflow.e2e.Figures.time;
import static dev.shopflow.e2e.Progress.progress;

import dev.shopflow.e2e.OrderTraffic.Placed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Phase A of {@link PipelineBenchmark}, with stock-service and mail-service stopped: what PostgreSQL alone does with
 * the API's write transaction (pgbench, the yardstick), then what {@code POST /orders} takes in a closed loop after
 * order-service's warm-up, at the same numbers of clients.
 */
final class BaselinePhase {

    static final List<Integer> CLIENTS = List.of(8, 16);
    static final Duration PGBENCH_TIME = Duration.ofSeconds(10);
    static final Duration CLOSED_LOOP_TIME = Duration.ofSeconds(15);

    /**
     * One order as {@code POST /orders} writes it (order-service's OrderPlacement and OutboxWriter): the
     * Idempotency-Key claim, the order, its line and the {@code OrderPlaced} outbox row with the same JSON shape, in
     * one transaction, one statement at a time. In the scratch schema {@code bench}: the relay's publication covers
     * {@code public.outbox} only, so nothing of this reaches Kafka. No colon but for variables: pgbench takes
     * {@code :name} anywhere, also inside a string, for a variable.
     */
    private static final String PGBENCH_SCRIPT = """
            begin;
            insert into bench.orders (id, customer_id, customer_email, status, total, created_at, version)
            values (gen_random_uuid(), 'bench-pgbench-order', 'bench-pgbench-order@bench.shopflow.dev', 'PENDING', 5.00,
                    now(), 0)
            returning id \\gset
            insert into bench.idempotency_keys (key, request_hash, order_id, created_at)
            values ('bench-' || gen_random_uuid(), encode(sha256(convert_to(:id, 'UTF8')), 'hex'), :id, now())
            on conflict (key) do nothing;
            insert into bench.order_lines (order_id, line_no, product_id, quantity, unit_price)
            values (:id, 1, 'SKU-2002', 1, 5.00);
            insert into bench.outbox (id, aggregatetype, aggregateid, type, schema_version, payload, timestamp)
            select event_id, 'orders', :id, 'OrderPlaced', 1,
                   jsonb_build_object(
                       'eventId', event_id, 'orderId', :id::uuid,
                       'occurredAt', now(),
                       'customerId', 'bench-pgbench-order', 'customerEmail', 'bench-pgbench-order@bench.shopflow.dev',
                       'lines', jsonb_build_array(
                           jsonb_build_object('productId', 'SKU-2002', 'quantity', 1, 'unitPrice', 5.00)),
                       'total', 5.00),
                   now()
            from gen_random_uuid() as event_id;
            commit;
            """;

    /** The four tables of the API's transaction, the same columns, indexes and constraints, in a scratch schema. */
    private static final String BENCH_SCHEMA = """
            drop schema if exists bench cascade;
            create schema bench;
            create table bench.orders (like public.orders including all);
            create table bench.order_lines (like public.order_lines including all);
            create table bench.idempotency_keys (like public.idempotency_keys including all);
            create table bench.outbox (like public.outbox including all);
            alter table bench.order_lines add foreign key (order_id) references bench.orders (id) on delete cascade;
            alter table bench.idempotency_keys add foreign key (order_id) references bench.orders (id)
                deferrable initially deferred;
            """;

    /** @param cpu the run's window, for PostgreSQL's CPU per transaction */
    record Pgbench(double tps, long transactions, long[] latencyMicros, ContainerUsage.Window cpu, int payloadBytes) {

        Pgbench(double tps, long transactions, long[] latencyMicros, ContainerUsage.Window cpu) {
            this(tps, transactions, latencyMicros, cpu, 0);
        }

        Pgbench withPayload(int bytes) {
            return new Pgbench(tps, transactions, latencyMicros, cpu, bytes);
        }
    }

    private final BenchmarkStack stack;
    private final ContainerUsage usage;
    private final Duration warmUp;
    private final String customer;
    private final Path logs;

    BaselinePhase(BenchmarkStack stack, ContainerUsage usage, Duration warmUp, String customer, Path logs) {
        this.stack = stack;
        this.usage = usage;
        this.warmUp = warmUp;
        this.customer = customer;
        this.logs = logs;
    }

    Map<Integer, Pgbench> pgbench() throws IOException {
        Compose compose = stack.compose();
        progress("baseline: pgbench with the API's write transaction, in scratch schema bench");
        stack.psql("orders", "orders", BENCH_SCHEMA);
        Files.createDirectories(logs);
        Path script = logs.resolve("pgbench-order.sql");
        Files.writeString(script, PGBENCH_SCRIPT);
        compose.run(Duration.ofMinutes(1), "cp", script.toString(), "postgres:/tmp/pgbench-order.sql");
        Map<Integer, Pgbench> results = new LinkedHashMap<>();
        for (int clients : CLIENTS) {
            String prefix = "/tmp/pgbench-" + clients;
            ContainerUsage.Snapshot from = usage.snapshot();
            Compose.Result run = compose.tryRun(
                    PGBENCH_TIME.plusMinutes(2),
                    "exec",
                    "-T",
                    "-e",
                    "PGPASSWORD=orders",
                    "postgres",
                    "pgbench",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "orders",
                    "-n",
                    "-M",
                    "prepared",
                    "-c",
                    Integer.toString(clients),
                    "-j",
                    "2",
                    "-T",
                    Long.toString(PGBENCH_TIME.toSeconds()),
                    "-f",
                    "/tmp/pgbench-order.sql",
                    "-l",
                    "--log-prefix=" + prefix,
                    "orders");
            ContainerUsage.Snapshot to = usage.snapshot();
            if (run.exitCode() != 0) {
                throw new IllegalStateException("pgbench exited with " + run.exitCode() + ":\n" + run.output());
            }
            long[] latencies = compose.output(
                            Duration.ofMinutes(1),
                            "exec",
                            "-T",
                            "postgres",
                            "sh",
                            "-c",
                            "cat " + prefix + ".* && rm -f " + prefix + ".*")
                    .lines()
                    .map(line -> line.split(" "))
                    .filter(fields -> fields.length >= 3 && fields[2].matches("\\d+"))
                    .mapToLong(fields -> Long.parseLong(fields[2]))
                    .sorted()
                    .toArray();
            long transactions = (long) number(run.output(), "number of transactions actually processed: (\\d+)");
            Pgbench result = new Pgbench(
                    number(run.output(), "tps = ([0-9.]+)"),
                    transactions,
                    latencies,
                    new ContainerUsage.Window(clients + " clients", from, to, transactions));
            progress("pgbench, %d clients: %.0f tps, p50 %s, p99 %s"
                    .formatted(
                            clients,
                            result.tps(),
                            time(percentile(latencies, 0.5)),
                            time(percentile(latencies, 0.99))));
            results.put(clients, result);
        }
        String payload =
                stack.psql("orders", "orders", "select avg(octet_length(payload::text))::int from bench.outbox");
        results.replaceAll((clients, result) -> result.withPayload(Integer.parseInt(payload.strip())));
        stack.psql("orders", "orders", "drop schema bench cascade");
        return results;
    }

    /** Long enough for the JIT by default: on 2 cores, C2 compiles order-service for minutes after start (docs). */
    void warmUp() throws InterruptedException {
        progress("API closed loop: warming up order-service for " + warmUp.toSeconds() + " s");
        stack.traffic().closedLoop(CLIENTS.getLast(), warmUp, customer);
    }

    Map<Integer, Placed> closedLoop() throws InterruptedException {
        warmUp();
        Map<Integer, Placed> results = new LinkedHashMap<>();
        for (int clients : CLIENTS) {
            Placed placed = stack.traffic().closedLoop(clients, CLOSED_LOOP_TIME, customer);
            progress("API closed loop, %d clients: %d accepted = %.0f/s, p50 %s, p99 %s, %d failed"
                    .formatted(
                            clients,
                            placed.accepted(),
                            placed.accepted() / seconds(CLOSED_LOOP_TIME),
                            time(percentile(placed.latencyMicros(), 0.5)),
                            time(percentile(placed.latencyMicros(), 0.99)),
                            placed.failed()));
            results.put(clients, placed);
        }
        return results;
    }

    /** The average size of the closed loop's {@code OrderPlaced} payloads, bytes, to set beside pgbench's. */
    int apiPayload() {
        return Integer.parseInt(stack.psql(
                        "orders",
                        "orders",
                        "select coalesce(avg(octet_length(payload::text)), 0)::int from outbox"
                                + " where type = 'OrderPlaced'")
                .strip());
    }

    private static double number(String output, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("pgbench printed no /" + regex + "/:\n" + output);
        }
        return Double.parseDouble(matcher.group(1));
    }
}
