package dev.shopflow.e2e;

import dev.shopflow.e2e.ConsumerLag.Sample;
import dev.shopflow.e2e.OrderTraffic.Placed;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Figures for the whole pipeline as {@code docker-compose.yml} runs it, images built from this working tree: what
 * PostgreSQL alone does with the API's write transaction (pgbench), what {@code POST /orders} takes in a closed loop,
 * how fast stock-service and mail-service work off a backlog, and which steady order rates the system sustains end
 * to end (order settled and both mails sent). Not a test, so that {@code ./mvnw verify} never runs it: run it with
 * {@code ./mvnw -q -pl e2e-tests test-compile exec:java}; docs/benchmarks.md ("Pipeline") says what each figure
 * means.
 *
 * <p>Settings (system properties): {@code bench.rates} (orders/s, default 50,200,500,1000), {@code bench.step} (each
 * rate's duration, default 60s), {@code bench.limit} (the whole run, default 30m: then it tears down and exits 3),
 * {@code bench.drainLimit} (default 10m), {@code bench.maxInFlight} (default 256). It exits 0 when it measured
 * everything it could, whatever the figures.
 */
final class PipelineBenchmark {

    private static final Path ROOT =
            Path.of(System.getProperty("shopflow.root", "..")).toAbsolutePath().normalize();
    private static final Path LOGS = ROOT.resolve("e2e-tests/target/bench");
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final long STARTED = System.nanoTime();
    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private static final List<Integer> CLIENTS = List.of(8, 16);
    private static final Duration PGBENCH_TIME = Duration.ofSeconds(10);
    private static final Duration CLOSED_LOOP_TIME = Duration.ofSeconds(15);
    /** Long enough for the JIT: on 2 cores, C2 is still compiling order-service minutes after start (see docs). */
    private static final Duration WARM_UP = Duration.ofSeconds(60);
    /** How long after a step's end its orders may take to complete and still count. */
    private static final Duration GRACE = Duration.ofSeconds(10);

    private static final Duration QUIET_LIMIT = Duration.ofMinutes(3);
    /** Kept free at the end of the time limit: the report and {@code down -v}. */
    private static final Duration RESERVE = Duration.ofMinutes(2);

    private static final int RESTOCK = 1_000_000;
    /** Above this many mails for one recipient, GreenMail's REST answer (every whole message) gets too big. */
    private static final long GREENMAIL_COUNT_LIMIT = 30_000;

    private static final long INCOMPLETE = Long.MAX_VALUE;
    private static final long UNKNOWN = Long.MIN_VALUE;

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

    private final Settings settings;
    private final Compose compose;
    private final Machine machine;
    private Shop shop;
    private OrderTraffic traffic;
    private boolean settledAtColumn;
    /** The machine's 1-minute load average after each phase: the figures mean little on a busy machine. */
    private final Map<String, Double> loads = new LinkedHashMap<>();

    private PipelineBenchmark(Settings settings, Compose compose, Machine machine) {
        this.settings = settings;
        this.compose = compose;
        this.machine = machine;
    }

    public static void main(String[] args) {
        Settings settings;
        try {
            settings = Settings.fromSystemProperties();
        } catch (IllegalArgumentException e) {
            System.err.println("Pipeline benchmark: " + e.getMessage());
            System.exit(2);
            return;
        }
        Machine machine = Machine.now();
        Compose compose = new Compose("shopflow-bench", ROOT, LOGS);
        compose.runAndExit("Pipeline benchmark", settings.limit(), PipelineBenchmark::progress, () -> {
            new PipelineBenchmark(settings, compose, machine).run();
            return true;
        });
    }

    private void run() throws Exception {
        progress("machine: " + machine.describe());
        progress("settings: " + settings.describe());
        progress("building the images and starting the stack (compose project shopflow-bench, logs in " + LOGS + ")");
        compose.run(Duration.ofMinutes(2), "down", "--volumes", "--remove-orphans");
        long upStart = System.nanoTime();
        compose.run(Duration.ofMinutes(20), "up", "--detach", "--build", "--wait", "--wait-timeout", "600");
        progress("stack healthy after %.0f s".formatted(seconds(System.nanoTime() - upStart)));
        shop = new Shop(
                compose.port("ORDER_PORT"),
                compose.port("STOCK_PORT"),
                compose.port("MAIL_PORT"),
                compose.port("GREENMAIL_API_PORT"));
        traffic = new OrderTraffic(compose.port("ORDER_PORT"));
        for (String product : OrderTraffic.products()) {
            shop.restock(product, RESTOCK);
        }
        String postgresVersion = psql("orders", "orders", "show server_version").strip();
        settledAtColumn = psql(
                        "orders",
                        "orders",
                        "select count(*) from information_schema.columns"
                                + " where table_name = 'orders' and column_name = 'settled_at'")
                .strip()
                .equals("1");
        if (!settledAtColumn) {
            progress("orders.settled_at does not exist in this version: POST -> settled is not measured, and an order"
                    + " counts as settled when it is no longer PENDING when its step is evaluated");
        }
        try (ConsumerLag lag = new ConsumerLag("localhost:" + compose.port("KAFKA_HOST_PORT"))) {
            lag.start();
            progress("stopping stock-service and mail-service for the baseline and the closed loop");
            compose.run(Duration.ofMinutes(2), "stop", "stock-service", "mail-service");
            Map<Integer, Pgbench> pgbench = pgbench();
            load("pgbench");
            Map<Integer, Placed> api = closedLoop();
            load("closed loop");
            int apiPayload = Integer.parseInt(psql(
                            "orders",
                            "orders",
                            "select coalesce(avg(octet_length(payload::text)), 0)::int from outbox"
                                    + " where type = 'OrderPlaced'")
                    .strip());
            Drain drain = drain(lag);
            load("drain");
            List<Step> steps = steps(lag);
            long deadLetters = lag.deadLetters();
            System.out.print(report(postgresVersion, pgbench, api, apiPayload, drain, steps, deadLetters, lag));
        }
    }

    // ---- A. PostgreSQL alone ----

    private Map<Integer, Pgbench> pgbench() throws IOException {
        progress("baseline: pgbench with the API's write transaction, in scratch schema bench");
        psql("orders", "orders", BENCH_SCHEMA);
        Files.createDirectories(LOGS);
        Path script = LOGS.resolve("pgbench-order.sql");
        Files.writeString(script, PGBENCH_SCRIPT);
        compose.run(Duration.ofMinutes(1), "cp", script.toString(), "postgres:/tmp/pgbench-order.sql");
        Map<Integer, Pgbench> results = new LinkedHashMap<>();
        for (int clients : CLIENTS) {
            String prefix = "/tmp/pgbench-" + clients;
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
            Pgbench result = new Pgbench(
                    number(run.output(), "tps = ([0-9.]+)"),
                    (long) number(run.output(), "number of transactions actually processed: (\\d+)"),
                    latencies);
            progress("pgbench, %d clients: %.0f tps, p50 %s, p99 %s"
                    .formatted(
                            clients,
                            result.tps(),
                            time(percentile(latencies, 0.5)),
                            time(percentile(latencies, 0.99))));
            results.put(clients, result);
        }
        String payload = psql("orders", "orders", "select avg(octet_length(payload::text))::int from bench.outbox");
        results.replaceAll((clients, result) -> result.withPayload(Integer.parseInt(payload.strip())));
        psql("orders", "orders", "drop schema bench cascade");
        return results;
    }

    // ---- B. the API alone, closed loop ----

    private Map<Integer, Placed> closedLoop() throws InterruptedException {
        String customer = "bench-" + RUN + "-closed";
        progress("API closed loop: warming up order-service for " + WARM_UP.toSeconds() + " s");
        traffic.closedLoop(CLIENTS.getLast(), WARM_UP, customer);
        Map<Integer, Placed> results = new LinkedHashMap<>();
        for (int clients : CLIENTS) {
            Placed placed = traffic.closedLoop(clients, CLOSED_LOOP_TIME, customer);
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

    // ---- C. the consumers drain the closed loop's backlog ----

    private Drain drain(ConsumerLag lag) throws Exception {
        Sample before = lag.sampleNow();
        progress("drain: starting stock-service and mail-service on a backlog of %s".formatted(lags(before)));
        Instant from = Instant.now();
        long fromNanos = System.nanoTime();
        compose.run(Duration.ofMinutes(3), "start", "stock-service", "mail-service");
        Optional<Sample> quiet = lag.awaitQuiet(bounded(settings.drainLimit()));
        long untilNanos = System.nanoTime();
        quiet.ifPresentOrElse(
                sample -> progress("drain: every group caught up %.0f s after the start"
                        .formatted(seconds(sample.nanos() - fromNanos))),
                () -> progress("drain: NOT caught up within " + text(settings.drainLimit())));
        List<Sample> samples = new ArrayList<>();
        samples.add(before);
        samples.addAll(lag.between(fromNanos, untilNanos));
        Map<String, Rate> groups = new LinkedHashMap<>();
        for (String group : ConsumerLag.GROUPS.keySet()) {
            groups.put(group, consumed(group, samples));
        }
        String since = "'" + from + "'::timestamptz";
        Rate mails = rate(psql(
                "mail",
                "mail",
                "select count(*), coalesce(extract(epoch from max(sent_at) - min(sent_at)), 0) from mail_log"
                        + " where status = 'SENT' and sent_at >= " + since));
        Rate reservations = rate(psql(
                "stock",
                "stock",
                "select count(distinct order_id), coalesce(extract(epoch from max(reserved_at) - min(reserved_at)), 0)"
                        + " from reservations where reserved_at >= " + since));
        Optional<Rate> settled = settledAtColumn
                ? Optional.of(rate(psql(
                        "orders",
                        "orders",
                        "select count(*), coalesce(extract(epoch from max(settled_at) - min(settled_at)), 0)"
                                + " from orders where settled_at >= " + since)))
                : Optional.empty();
        Sample last = quiet.orElseGet(() -> samples.getLast());
        if (quiet.isEmpty()) {
            skipBacklog();
        }
        return new Drain(
                before,
                groups,
                mails,
                reservations,
                settled,
                quiet.isPresent(),
                seconds(last.nanos() - fromNanos),
                last);
    }

    /**
     * Moves every group to the end of its topic, so that the steps start on a quiet pipeline although the closed
     * loop's backlog did not drain in time: the services are stopped (a group's offsets can be reset only while it
     * has no members), the groups reset with the Kafka CLI, the services started again. The skipped orders stay
     * PENDING and unmailed; the steps look only at their own orders.
     */
    private void skipBacklog() throws InterruptedException {
        progress("drain: skipping the rest of the backlog (groups reset to the end of their topics)");
        List<String> services = List.of("order-service", "stock-service", "mail-service");
        compose.run(Duration.ofMinutes(2), concat("stop", services));
        for (Map.Entry<String, String> group : ConsumerLag.GROUPS.entrySet()) {
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            Compose.Result reset;
            do {
                Thread.sleep(1000);
                reset = compose.kafkaCli(
                        "kafka-consumer-groups.sh",
                        "--bootstrap-server",
                        "localhost:9092",
                        "--group",
                        group.getKey(),
                        "--topic",
                        group.getValue(),
                        "--reset-offsets",
                        "--to-latest",
                        "--execute");
            } while (reset.exitCode() != 0 && System.nanoTime() < deadline);
            if (reset.exitCode() != 0) {
                throw new IllegalStateException("Could not reset group " + group.getKey() + ":\n" + reset.output());
            }
        }
        compose.run(Duration.ofMinutes(10), concat("up", List.of("--detach", "--no-build", "--wait"), services));
    }

    @SafeVarargs
    private static String[] concat(String first, List<String>... rest) {
        List<String> all = new ArrayList<>(List.of(first));
        for (List<String> more : rest) {
            all.addAll(more);
        }
        return all.toArray(String[]::new);
    }

    /**
     * A group's consumption while it works off a backlog, from the samples of its committed offsets: from the last
     * sample before they first moved to the first sample at their final value (so within 2 samples, 4 s, of the
     * truth).
     */
    private static Rate consumed(String group, List<Sample> samples) {
        long initial = samples.getFirst().committed().get(group);
        long last = samples.getLast().committed().get(group);
        int start = -1;
        int end = -1;
        for (int i = 1; i < samples.size(); i++) {
            long committed = samples.get(i).committed().get(group);
            if (start < 0 && committed != initial) {
                start = i - 1;
            }
            if (start >= 0 && committed == last) {
                end = i;
                break;
            }
        }
        if (start < 0) {
            return new Rate(0, 0);
        }
        return new Rate(
                last - samples.get(start).committed().get(group),
                seconds(samples.get(end).nanos() - samples.get(start).nanos()));
    }

    // ---- D. open-loop steps ----

    private List<Step> steps(ConsumerLag lag) throws Exception {
        List<Step> steps = new ArrayList<>();
        String skip = null;
        Step previous = null;
        for (int rate : settings.rates()) {
            if (skip == null
                    && remaining().compareTo(settings.step().plus(GRACE).plusMinutes(1)) < 0) {
                skip = "not run (time limit " + text(settings.limit()) + ")";
            }
            if (skip == null) {
                progress("step %d orders/s: waiting until the pipeline is quiet".formatted(rate));
                Optional<Sample> quiet = lag.awaitQuiet(bounded(QUIET_LIMIT));
                if (previous != null) {
                    previous.mails = mailCheck(previous);
                }
                if (quiet.isEmpty()) {
                    skip = "not run (the backlog before it did not drain within " + QUIET_LIMIT.toMinutes() + " min)";
                }
            }
            if (skip != null) {
                steps.add(Step.notRun(rate, skip));
                continue;
            }
            shop.purgeMails();
            Step step = step(rate, lag);
            load(rate + "/s");
            steps.add(step);
            previous = step;
            if (!step.sustained()) {
                skip = "not run (a lower rate was not sustained)";
            }
        }
        if (previous != null && previous.mails == null) {
            progress("waiting (at most %d min) for the last step's backlog, to count its mails"
                    .formatted(QUIET_LIMIT.toMinutes()));
            lag.awaitQuiet(bounded(QUIET_LIMIT));
            previous.mails = mailCheck(previous);
        }
        return steps;
    }

    private Step step(int rate, ConsumerLag lag) throws Exception {
        String customer = "bench-" + RUN + "-r" + rate;
        Duration duration = settings.step();
        progress("step %d orders/s for %d s".formatted(rate, duration.toSeconds()));
        long startNanos = System.nanoTime();
        long startMicros = OrderTraffic.epochMicros();
        Placed placed = traffic.openLoop(rate, duration, settings.maxInFlight(), customer);
        long endNanos = startNanos + duration.toNanos();
        long deadlineNanos = endNanos + GRACE.toNanos();
        for (long wait = deadlineNanos - System.nanoTime(); wait > 0; wait = deadlineNanos - System.nanoTime()) {
            Thread.sleep(Duration.ofNanos(wait));
        }
        long deadlineMicros = startMicros + (deadlineNanos - startNanos) / 1000;

        Map<String, String[]> orders = new HashMap<>();
        String settledAt = settledAtColumn ? "(extract(epoch from settled_at) * 1000000)::bigint" : "null";
        for (String line : psql(
                        "orders",
                        "orders",
                        "copy (select id, status, " + settledAt + " from orders where customer_id = '" + customer
                                + "') to stdout")
                .lines()
                .toList()) {
            String[] columns = line.split("\t");
            orders.put(columns[0], columns);
        }
        Map<String, long[]> mails = new HashMap<>(); // order id -> sent_at of {received, outcome}
        for (String line : psql(
                        "mail",
                        "mail",
                        "copy (select order_id, kind, (extract(epoch from sent_at) * 1000000)::bigint from mail_log"
                                + " where recipient = '" + OrderTraffic.email(customer)
                                + "' and status = 'SENT') to stdout")
                .lines()
                .toList()) {
            String[] columns = line.split("\t");
            long[] sent = mails.computeIfAbsent(columns[0], id -> new long[] {INCOMPLETE, INCOMPLETE});
            sent[columns[1].equals("ORDER_RECEIVED") ? 0 : 1] = Long.parseLong(columns[2]);
        }

        int completed = 0;
        int confirmed = 0;
        int rejected = 0;
        long[] toSettled = new long[placed.accepted()];
        long[] toLastMail = new long[placed.accepted()];
        int i = 0;
        for (Map.Entry<String, Long> order : placed.sentAt().entrySet()) {
            long sentAt = order.getValue();
            String[] row = orders.get(order.getKey());
            String status = row == null ? "MISSING" : row[1];
            confirmed += status.equals("CONFIRMED") ? 1 : 0;
            rejected += status.equals("REJECTED") ? 1 : 0;
            boolean settled;
            if (settledAtColumn) {
                boolean known = row != null && !row[2].equals("\\N");
                settled = known && Long.parseLong(row[2]) <= deadlineMicros;
                toSettled[i] = settled ? Long.parseLong(row[2]) - sentAt : INCOMPLETE;
            } else {
                settled = status.equals("CONFIRMED") || status.equals("REJECTED");
                toSettled[i] = UNKNOWN;
            }
            long[] sent = mails.getOrDefault(order.getKey(), new long[] {INCOMPLETE, INCOMPLETE});
            long lastMail = Math.max(sent[0], sent[1]);
            boolean mailed = lastMail <= deadlineMicros;
            toLastMail[i] = mailed ? lastMail - sentAt : INCOMPLETE;
            completed += settled && mailed ? 1 : 0;
            i++;
        }
        Arrays.sort(toSettled);
        Arrays.sort(toLastMail);

        List<Sample> samples = lag.between(startNanos, endNanos);
        Map<String, GroupLag> lags = new LinkedHashMap<>();
        for (String group : ConsumerLag.GROUPS.keySet()) {
            lags.put(group, GroupLag.of(group, samples, startNanos + duration.toNanos() / 3, rate));
        }
        Step step = new Step(
                rate,
                null,
                placed,
                seconds(duration),
                completed,
                confirmed,
                rejected,
                toSettled,
                toLastMail,
                lags,
                customer);
        progress("step %d orders/s: %d sent, %d accepted, %d dropped, %d failed; %d completed in time; %s"
                .formatted(
                        rate,
                        placed.accepted() + placed.failed(),
                        placed.accepted(),
                        placed.dropped(),
                        placed.failed(),
                        completed,
                        step.sustained() ? "sustained" : "NOT sustained"));
        return step;
    }

    /** After the pipeline went quiet: the step's mails as mail_log and GreenMail count them. */
    private MailCheck mailCheck(Step step) {
        long logged = Long.parseLong(psql(
                        "mail",
                        "mail",
                        "select count(*) from mail_log where status = 'SENT' and recipient = '"
                                + OrderTraffic.email(step.customer) + "'")
                .strip());
        long expected = 2L * step.placed.accepted();
        long received = expected <= GREENMAIL_COUNT_LIMIT ? shop.mailCount(OrderTraffic.email(step.customer)) : -1;
        return new MailCheck(expected, logged, received);
    }

    // ---- the report ----

    private String report(
            String postgresVersion,
            Map<Integer, Pgbench> pgbench,
            Map<Integer, Placed> api,
            int apiPayload,
            Drain drain,
            List<Step> steps,
            long deadLetters,
            ConsumerLag lag) {
        String line = "=".repeat(120);
        StringBuilder out = new StringBuilder();
        out.append('\n').append(line).append('\n');
        row(out, "pipeline benchmark", Instant.now().truncatedTo(ChronoUnit.SECONDS) + "");
        row(out, "machine", machine.describe());
        row(
                out,
                "stack",
                "docker compose (images built from %s): PostgreSQL %s, apache/kafka:4.2.2, greenmail/standalone:2.1.8"
                        .formatted(ROOT, postgresVersion));
        row(out, "settings", settings.describe());
        out.append(line).append('\n');

        out.append("A. PostgreSQL alone (pgbench, %d s) and POST /orders alone (closed loop, %d s), stock-service and"
                .formatted(PGBENCH_TIME.toSeconds(), CLOSED_LOOP_TIME.toSeconds()));
        out.append(" mail-service stopped\n");
        List<List<String>> rows = new ArrayList<>();
        for (int clients : CLIENTS) {
            Pgbench pg = pgbench.get(clients);
            Placed placed = api.get(clients);
            double accepted = placed.accepted() / seconds(CLOSED_LOOP_TIME);
            rows.add(List.of(
                    Integer.toString(clients),
                    "%.0f".formatted(pg.tps()),
                    time(percentile(pg.latencyMicros(), 0.5)),
                    time(percentile(pg.latencyMicros(), 0.99)),
                    "%.0f".formatted(accepted),
                    time(percentile(placed.latencyMicros(), 0.5)),
                    time(percentile(placed.latencyMicros(), 0.99)),
                    "%.2f".formatted(accepted / pg.tps()),
                    Integer.toString(placed.failed())));
        }
        table(
                out,
                List.of(
                        "clients",
                        "pgbench tps",
                        "pgbench p50",
                        "pgbench p99",
                        "API accepted/s",
                        "API p50",
                        "API p99",
                        "API/pgbench",
                        "API failed"),
                rows);
        out.append("   pgbench: the API's transaction (key claim, order, 1 line, outbox row of %d bytes; the API's"
                        .formatted(pgbench.get(CLIENTS.getFirst()).payloadBytes()))
                .append(
                        " OrderPlaced payloads: %d bytes), prepared statements, over TCP inside the postgres container\n"
                                .formatted(apiPayload));

        out.append("B. drain: stock-service and mail-service started on the closed loop's backlog (%s)\n"
                .formatted(lags(drain.before())));
        List<List<String>> groupRows = new ArrayList<>();
        drain.groups()
                .forEach((group, rate) -> groupRows.add(List.of(
                        group + " (" + ConsumerLag.GROUPS.get(group) + ")",
                        Long.toString(rate.count()),
                        "%.0f".formatted(rate.seconds()),
                        rate.perSecond())));
        table(out, List.of("group (topic)", "events consumed", "seconds", "events/s"), groupRows);
        row(out, "mails sent", drain.mails().describe("mails") + "   (mail_log.sent_at)");
        row(out, "orders reserved", drain.reservations().describe("orders") + "   (stock reservations.reserved_at)");
        row(
                out,
                "orders settled",
                drain.settled()
                        .map(rate -> rate.describe("orders") + "   (orders.settled_at)")
                        .orElse("n/a (no orders.settled_at in this version)"));
        row(
                out,
                "caught up",
                drain.caughtUp()
                        ? "every group's lag 0 after %.0f s (from the start of the two services)"
                                .formatted(drain.seconds())
                        : "NO: lag left after %.0f s: %s; the rest was skipped (groups reset to the end)"
                                .formatted(drain.seconds(), lags(drain.last())));

        out.append("C. steady rates, %d s each; completed = settled and both mails SENT by step end + %d s\n"
                .formatted(settings.step().toSeconds(), GRACE.toSeconds()));
        rows = new ArrayList<>();
        for (Step step : steps) {
            if (step.notRun != null) {
                rows.add(List.of(Integer.toString(step.rate), step.notRun));
                continue;
            }
            rows.add(List.of(
                    Integer.toString(step.rate),
                    Integer.toString(step.placed.accepted() + step.placed.failed()),
                    "%.1f".formatted(step.placed.accepted() / step.seconds),
                    Integer.toString(step.placed.dropped()),
                    Integer.toString(step.placed.failed()),
                    time(percentile(step.placed.latencyMicros(), 0.5)),
                    time(percentile(step.placed.latencyMicros(), 0.99)),
                    "%.1f".formatted(step.completed / step.seconds),
                    time(percentile(step.toSettled, 0.5)),
                    time(percentile(step.toSettled, 0.99)),
                    time(percentile(step.toLastMail, 0.5)),
                    time(percentile(step.toLastMail, 0.99)),
                    step.sustained() ? "yes" : "NO"));
        }
        table(
                out,
                List.of(
                        "rate/s",
                        "sent",
                        "accepted/s",
                        "dropped",
                        "failed",
                        "POST p50",
                        "POST p99",
                        "completed/s",
                        "settled p50",
                        "settled p99",
                        "last mail p50",
                        "last mail p99",
                        "sustained"),
                rows);
        rows = new ArrayList<>();
        for (Step step : steps) {
            if (step.notRun != null) {
                continue;
            }
            List<String> cells = new ArrayList<>(List.of(Integer.toString(step.rate)));
            step.lags.values().forEach(group -> cells.add(group.describe()));
            cells.add("%d/%d".formatted(step.confirmed, step.rejected));
            cells.add(
                    step.mails == null
                            ? "n/a"
                            : "%d / %s / %d"
                                    .formatted(
                                            step.mails.logged(),
                                            step.mails.received() < 0
                                                    ? "not counted"
                                                    : Long.toString(step.mails.received()),
                                            step.mails.expected()));
            cells.add(step.placed.failures().isEmpty() ? "-" : step.placed.failures() + "");
            rows.add(cells);
        }
        List<String> header = new ArrayList<>(List.of("rate/s"));
        ConsumerLag.GROUPS.forEach((group, topic) -> header.add("lag " + group + " end/peak/trend"));
        header.addAll(List.of("confirmed/rejected", "mails logged/GreenMail/expected", "failures (status: n)"));
        table(out, header, rows);
        out.append(
                        "   POST = request sent -> 201; settled = request sent -> orders.settled_at; last mail = request sent ->")
                .append(" the later of its two mails' mail_log.sent_at; n/c = not completed by step end + ")
                .append(GRACE.toSeconds())
                .append(" s\n   lag trend = least-squares slope over the last two thirds of the step, events/s;")
                .append(" (grew) when above 2 % of the rate + 1\n");
        row(out, "dead letters", deadLetters + " records on the .dlt topics (expected 0)");
        StringBuilder load = new StringBuilder("%.2f at the start".formatted(machine.loadAverage()));
        loads.forEach((phase, average) -> load.append(", %.2f after %s".formatted(average, phase)));
        row(out, "load average", load + " (1 min; %d means all CPUs busy)".formatted(machine.cpus()));
        if (!lag.lastError().isEmpty()) {
            row(out, "lag sampling", "failed at least once: " + lag.lastError());
        }
        out.append(line).append('\n');
        out.append(highestSustained(steps)).append('\n');
        out.append(line).append('\n');
        return out.toString();
    }

    private static String highestSustained(List<Step> steps) {
        int highest = 0;
        for (Step step : steps) {
            if (step.notRun != null || !step.sustained()) {
                break;
            }
            highest = step.rate;
        }
        if (highest > 0) {
            return "Highest sustained rate: " + highest + " orders/s";
        }
        return "Highest sustained rate: none (" + steps.getFirst().rate + " orders/s, the lowest tried, not sustained)";
    }

    // ---- helpers ----

    /** A query with psql inside the postgres container, as the database's own user (compose default passwords). */
    private String psql(String database, String user, String sql) {
        return compose.psql(database, user, sql);
    }

    /** @param row "count|seconds" as psql -At prints it */
    private static Rate rate(String row) {
        String[] columns = row.strip().split("\\|");
        return new Rate(Long.parseLong(columns[0]), Double.parseDouble(columns[1]));
    }

    private static String lags(Sample sample) {
        StringBuilder lags = new StringBuilder();
        sample.lag()
                .forEach((group, lag) -> lags.append(lags.isEmpty() ? "" : ", ")
                        .append(group)
                        .append(' ')
                        .append(lag));
        return "lag " + lags;
    }

    private void load(String phase) {
        loads.put(phase, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private Duration bounded(Duration wait) {
        Duration left = remaining().minusMinutes(1);
        return left.compareTo(wait) < 0 ? (left.isNegative() ? Duration.ZERO : left) : wait;
    }

    private Duration remaining() {
        return settings.limit().minus(RESERVE).minusNanos(System.nanoTime() - STARTED);
    }

    private static double number(String output, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("pgbench printed no /" + regex + "/:\n" + output);
        }
        return Double.parseDouble(matcher.group(1));
    }

    /** The quantile of sorted values; {@link #INCOMPLETE} or {@link #UNKNOWN} when that is what it falls on. */
    static long percentile(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return UNKNOWN;
        }
        return sorted[Math.max(0, (int) Math.ceil(quantile * sorted.length) - 1)];
    }

    static String time(long micros) {
        if (micros == INCOMPLETE) {
            return "n/c";
        }
        if (micros == UNKNOWN) {
            return "n/a";
        }
        return micros < 1_000_000 ? "%.1f ms".formatted(micros / 1000.0) : "%.2f s".formatted(micros / 1e6);
    }

    /** "10 min" or "30 s". */
    static String text(Duration duration) {
        return duration.toSeconds() % 60 == 0 ? duration.toMinutes() + " min" : duration.toSeconds() + " s";
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    private static void row(StringBuilder out, String label, String value) {
        out.append("  %-18s %s%n".formatted(label, value));
    }

    /** A plain text table: the first column left-aligned, the others right-aligned; short rows span the rest. */
    private static void table(StringBuilder out, List<String> header, List<List<String>> rows) {
        int[] widths = new int[header.size()];
        for (List<String> cells : concat(header, rows)) {
            if (cells.size() < header.size()) {
                continue;
            }
            for (int i = 0; i < cells.size(); i++) {
                widths[i] = Math.max(widths[i], cells.get(i).length());
            }
        }
        for (List<String> cells : concat(header, rows)) {
            StringBuilder text = new StringBuilder("  ");
            for (int i = 0; i < cells.size(); i++) {
                String cell = cells.get(i);
                if (i == 0) {
                    text.append(cell).append(" ".repeat(widths[0] - cell.length()));
                } else if (cells.size() < header.size()) {
                    text.append("  ").append(cell);
                } else {
                    text.append("  ")
                            .append(" ".repeat(widths[i] - cell.length()))
                            .append(cell);
                }
            }
            out.append(text.toString().stripTrailing()).append('\n');
        }
    }

    private static List<List<String>> concat(List<String> header, List<List<String>> rows) {
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        return all;
    }

    private static void progress(String message) {
        System.out.printf(
                "[pipeline-benchmark %s +%ds] %s%n",
                CLOCK.format(Instant.now()), (System.nanoTime() - STARTED) / 1_000_000_000L, message);
    }

    // ---- records ----

    /** What to run: from system properties, see the class comment. */
    record Settings(List<Integer> rates, Duration step, Duration limit, Duration drainLimit, int maxInFlight) {

        private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

        static Settings fromSystemProperties() {
            List<Integer> rates;
            try {
                rates = Arrays.stream(System.getProperty("bench.rates", "50,200,500,1000")
                                .split(","))
                        .map(String::strip)
                        .filter(rate -> !rate.isEmpty())
                        .map(Integer::parseInt)
                        .sorted()
                        .distinct()
                        .toList();
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bench.rates must be orders/s, comma-separated: " + e.getMessage());
            }
            if (rates.isEmpty() || rates.getFirst() < 1) {
                throw new IllegalArgumentException("bench.rates must be at least one rate >= 1 orders/s");
            }
            Duration step = duration("bench.step", "60s");
            if (step.toSeconds() < 1) {
                throw new IllegalArgumentException("bench.step must be at least 1s");
            }
            int maxInFlight = Integer.parseInt(System.getProperty("bench.maxInFlight", "256"));
            return new Settings(
                    rates, step, duration("bench.limit", "30m"), duration("bench.drainLimit", "10m"), maxInFlight);
        }

        private static Duration duration(String property, String fallback) {
            String text = System.getProperty(property, fallback).strip();
            Matcher matcher = DURATION.matcher(text);
            if (!matcher.matches()) {
                throw new IllegalArgumentException(property + " must be like 20s, 500ms, 2m or 1h, not " + text);
            }
            long amount = Long.parseLong(matcher.group(1));
            return switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        }

        String describe() {
            return "rates %s orders/s, step %d s (+%d s to complete), at most %d requests in flight, request timeout"
                            .formatted(rates, step.toSeconds(), GRACE.toSeconds(), maxInFlight)
                    + " %d s, drain limit %s, time limit %s"
                            .formatted(OrderTraffic.REQUEST_TIMEOUT.toSeconds(), text(drainLimit), text(limit));
        }
    }

    /** The machine as found at the start: the load average shows whether something else was running. */
    record Machine(int cpus, String model, double memoryGiB, String os, double loadAverage, Instant at) {

        static Machine now() {
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            String model;
            try {
                model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                        .filter(l -> l.startsWith("model name"))
                        .map(l -> l.substring(l.indexOf(':') + 1).trim())
                        .findFirst()
                        .orElse("unknown model");
            } catch (IOException e) {
                model = "unknown model";
            }
            return new Machine(
                    Runtime.getRuntime().availableProcessors(),
                    model,
                    os.getTotalMemorySize() / (1024.0 * 1024 * 1024),
                    System.getProperty("os.name") + " " + System.getProperty("os.version"),
                    os.getSystemLoadAverage(),
                    Instant.now().truncatedTo(ChronoUnit.SECONDS));
        }

        String describe() {
            return "%d CPUs (%s), %.1f GiB memory, %s, load average %.2f at the start (%s), benchmark JDK %s"
                    .formatted(cpus, model, memoryGiB, os, loadAverage, at, Runtime.version());
        }
    }

    record Pgbench(double tps, long transactions, long[] latencyMicros, int payloadBytes) {

        Pgbench(double tps, long transactions, long[] latencyMicros) {
            this(tps, transactions, latencyMicros, 0);
        }

        Pgbench withPayload(int bytes) {
            return new Pgbench(tps, transactions, latencyMicros, bytes);
        }
    }

    /** {@code count} things in {@code seconds}. */
    record Rate(long count, double seconds) {

        String perSecond() {
            return seconds > 0 ? "%.0f".formatted(count / seconds) : "n/a";
        }

        String describe(String what) {
            return "%d %s in %.1f s = %s %s/s".formatted(count, what, seconds, perSecond(), what);
        }
    }

    record Drain(
            Sample before,
            Map<String, Rate> groups,
            Rate mails,
            Rate reservations,
            Optional<Rate> settled,
            boolean caughtUp,
            double seconds,
            Sample last) {}

    /** A group's lag during a step: at its end, the peak, and the trend over its last two thirds. */
    record GroupLag(long end, long peak, double slope, boolean grew, boolean sampled) {

        static GroupLag of(String group, List<Sample> samples, long trendFromNanos, int rate) {
            if (samples.isEmpty()) {
                return new GroupLag(0, 0, 0, false, false);
            }
            long peak =
                    samples.stream().mapToLong(s -> s.lag().get(group)).max().orElse(0);
            List<Sample> trend =
                    samples.stream().filter(s -> s.nanos() >= trendFromNanos).toList();
            double slope = slope(group, trend);
            return new GroupLag(
                    samples.getLast().lag().get(group), peak, slope, slope > 0.02 * rate + 1, trend.size() >= 3);
        }

        /** Least-squares slope of the lag over time, events per second. */
        private static double slope(String group, List<Sample> samples) {
            if (samples.size() < 2) {
                return 0;
            }
            double n = samples.size();
            double meanX = samples.stream().mapToDouble(s -> s.nanos() / 1e9).sum() / n;
            double meanY = samples.stream().mapToDouble(s -> s.lag().get(group)).sum() / n;
            double covariance = 0;
            double variance = 0;
            for (Sample sample : samples) {
                double x = sample.nanos() / 1e9 - meanX;
                covariance += x * (sample.lag().get(group) - meanY);
                variance += x * x;
            }
            return variance == 0 ? 0 : covariance / variance;
        }

        String describe() {
            if (!sampled) {
                return "not sampled";
            }
            return "%d/%d/%+.1f%s".formatted(end, peak, slope, grew ? " (grew)" : "");
        }
    }

    record MailCheck(long expected, long logged, long received) {}

    /** One rate's results; {@code notRun} says why it was not run, if it was not. */
    static final class Step {

        final int rate;
        final String notRun;
        final Placed placed;
        final double seconds;
        final int completed;
        final int confirmed;
        final int rejected;
        final long[] toSettled;
        final long[] toLastMail;
        final Map<String, GroupLag> lags;
        final String customer;
        MailCheck mails;

        Step(
                int rate,
                String notRun,
                Placed placed,
                double seconds,
                int completed,
                int confirmed,
                int rejected,
                long[] toSettled,
                long[] toLastMail,
                Map<String, GroupLag> lags,
                String customer) {
            this.rate = rate;
            this.notRun = notRun;
            this.placed = placed;
            this.seconds = seconds;
            this.completed = completed;
            this.confirmed = confirmed;
            this.rejected = rejected;
            this.toSettled = toSettled;
            this.toLastMail = toLastMail;
            this.lags = lags;
            this.customer = customer;
        }

        static Step notRun(int rate, String why) {
            return new Step(rate, why, null, 0, 0, 0, 0, new long[0], new long[0], Map.of(), "");
        }

        /**
         * The rate is sustained when every order was sent and accepted, every accepted order completed by the step's
         * end + {@link #GRACE}, and no group's lag grew.
         */
        boolean sustained() {
            return notRun == null
                    && placed.accepted() > 0
                    && placed.dropped() == 0
                    && placed.failed() == 0
                    && completed == placed.accepted()
                    && lags.values().stream().allMatch(lag -> lag.sampled() && !lag.grew());
        }
    }

    /** {@code docker compose down -v}, once: at the end, on failure, on the time limit, on Ctrl-C. */
}
