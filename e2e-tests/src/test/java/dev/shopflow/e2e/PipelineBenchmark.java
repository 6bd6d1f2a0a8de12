package dev.shopflow.e2e;

import dev.shopflow.e2e.Completions.Completion;
import dev.shopflow.e2e.Completions.MailCheck;
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
 * how fast stock-service and mail-service work off a backlog, which steady order rates the system sustains end to
 * end (order settled and both mails sent), what it does at three times its capacity and after ({@link
 * OverloadPhase}), and the CPU each container spends per order ({@link ContainerUsage}). Not a test, so that {@code
 * ./mvnw verify} never runs it: run it with {@code ./mvnw -q -pl e2e-tests test-compile exec:java};
 * docs/benchmarks.md ("Pipeline") says what each figure means.
 *
 * <p>Settings (system properties): {@code bench.rates} (orders/s, default 50,200,500,1000), {@code bench.step} (each
 * rate's duration, default 60s), {@code bench.limit} (the whole run, default 30m: then it tears down and exits 3),
 * {@code bench.drainLimit} (default 10m), {@code bench.maxInFlight} (default 256), {@code bench.warmUp} (default
 * 60s); the overload phase: {@code bench.overload} (default true), {@code bench.overloadOnly} (pgbench and the
 * overload phase only, default false), {@code bench.overloadClosed} (default 20s), {@code bench.overloadStep} (the
 * spike's and the recovery's length, default 60s), {@code bench.overloadMaxInFlight} (default 4096). It exits 0
 * when it measured everything it could, whatever the figures.
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
    /** How long after a step's end its orders may take to complete and still count. */
    private static final Duration GRACE = Duration.ofSeconds(10);

    static final Duration QUIET_LIMIT = Duration.ofMinutes(3);
    /** Kept free at the end of the time limit: the report and {@code down -v}. */
    private static final Duration RESERVE = Duration.ofMinutes(2);

    private static final int RESTOCK = 1_000_000;

    static final long INCOMPLETE = Long.MAX_VALUE;
    static final long UNKNOWN = Long.MIN_VALUE;

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
    private final ContainerUsage usage;
    private Shop shop;
    private OrderTraffic traffic;
    private Completions completions;
    private boolean settledAtColumn;
    /** The machine's 1-minute load average after each phase: the figures mean little on a busy machine. */
    private final Map<String, Double> loads = new LinkedHashMap<>();

    private PipelineBenchmark(Settings settings, Compose compose, Machine machine) {
        this.settings = settings;
        this.compose = compose;
        this.machine = machine;
        this.usage = new ContainerUsage(compose);
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
        compose.up(Duration.ofMinutes(20), Duration.ofMinutes(10));
        progress("stack healthy after %.0f s".formatted(seconds(System.nanoTime() - upStart)));
        shop = new Shop(
                compose, compose.port("ORDER_PORT"), compose.port("STOCK_PORT"), compose.port("GREENMAIL_API_PORT"));
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
        completions = new Completions(compose, shop, settledAtColumn);
        try (ConsumerLag lag = new ConsumerLag("localhost:" + compose.port("KAFKA_HOST_PORT"))) {
            lag.start();
            progress("stopping stock-service and mail-service for the baseline and the closed loop");
            compose.run(Duration.ofMinutes(2), "stop", "stock-service", "mail-service");
            Map<Integer, Pgbench> pgbench = pgbench();
            load("pgbench");
            Map<Integer, Placed> api = Map.of();
            int apiPayload = 0;
            Drain drain = null;
            List<Step> steps = List.of();
            if (settings.overload().only()) {
                warmUp();
                progress("bench.overloadOnly: starting stock-service and mail-service on the warm-up's backlog"
                        + " (not reported)");
                drain(lag);
            } else {
                api = closedLoop();
                load("closed loop");
                apiPayload = Integer.parseInt(psql(
                                "orders",
                                "orders",
                                "select coalesce(avg(octet_length(payload::text)), 0)::int from outbox"
                                        + " where type = 'OrderPlaced'")
                        .strip());
                drain = drain(lag);
                load("drain");
                steps = steps(lag);
            }
            Overload overload = overload(lag);
            long deadLetters = lag.deadLetters();
            System.out.print(
                    report(postgresVersion, pgbench, api, apiPayload, drain, steps, overload, deadLetters, lag));
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
        String payload = psql("orders", "orders", "select avg(octet_length(payload::text))::int from bench.outbox");
        results.replaceAll((clients, result) -> result.withPayload(Integer.parseInt(payload.strip())));
        psql("orders", "orders", "drop schema bench cascade");
        return results;
    }

    // ---- B. the API alone, closed loop ----

    /** Long enough for the JIT by default: on 2 cores, C2 compiles order-service for minutes after start (docs). */
    private void warmUp() throws InterruptedException {
        progress("API closed loop: warming up order-service for "
                + settings.warmUp().toSeconds() + " s");
        traffic.closedLoop(CLIENTS.getLast(), settings.warmUp(), "bench-" + RUN + "-closed");
    }

    private Map<Integer, Placed> closedLoop() throws InterruptedException {
        warmUp();
        String customer = "bench-" + RUN + "-closed";
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
        compose.startAgain(Duration.ofMinutes(3), "stock-service", "mail-service");
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
                    afterQuiet(previous);
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
            afterQuiet(previous);
        }
        return steps;
    }

    /**
     * Once the pipeline is quiet after a step (or the wait gave up): the end of its CPU window, per order completed
     * by now (the window also holds the work on orders completed after step end + {@link #GRACE}), then its mails.
     */
    private void afterQuiet(Step step) {
        ContainerUsage.Snapshot to = usage.snapshot();
        int completed = completions
                .of(step.customer, step.placed.sentAt(), Completions.NO_DEADLINE)
                .completed();
        step.cpu = new ContainerUsage.Window(step.rate + "/s", step.cpuFrom, to, completed);
        step.mails = completions.mails(step.customer, step.placed.accepted());
    }

    private Step step(int rate, ConsumerLag lag) throws Exception {
        String customer = "bench-" + RUN + "-r" + rate;
        Duration duration = settings.step();
        ContainerUsage.Snapshot cpuFrom = usage.snapshot();
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
        Completion completion = completions.of(customer, placed.sentAt(), deadlineMicros);

        List<Sample> samples = lag.between(startNanos, endNanos);
        Map<String, GroupLag> lags = new LinkedHashMap<>();
        for (String group : ConsumerLag.GROUPS.keySet()) {
            lags.put(group, GroupLag.of(group, samples, startNanos + duration.toNanos() / 3, rate));
        }
        Step step = new Step(rate, null, placed, seconds(duration), completion, lags, customer, cpuFrom);
        progress("step %d orders/s: %d sent, %d accepted, %d dropped, %d failed; %d completed in time; %s"
                .formatted(
                        rate,
                        placed.accepted() + placed.failed(),
                        placed.accepted(),
                        placed.dropped(),
                        placed.failed(),
                        completion.completed(),
                        step.sustained() ? "sustained" : "NOT sustained"));
        return step;
    }

    // ---- E. overload (the report's D: OverloadPhase) ----

    /** The overload phase, or why it was not run. */
    record Overload(Optional<OverloadPhase> phase, String notRun) {}

    private Overload overload(ConsumerLag lag) throws Exception {
        OverloadPhase.Settings overload = settings.overload();
        if (!overload.run()) {
            return new Overload(Optional.empty(), "not run (bench.overload=false)");
        }
        if (remaining().compareTo(overload.load().plusMinutes(2)) < 0) {
            return new Overload(Optional.empty(), "not run (time limit " + text(settings.limit()) + ")");
        }
        OverloadPhase phase = new OverloadPhase(
                overload, traffic, lag, usage, completions, shop, "bench-" + RUN + "-overload", this::bounded);
        phase.run();
        load("overload");
        return new Overload(Optional.of(phase), "");
    }

    // ---- the report ----

    private String report(
            String postgresVersion,
            Map<Integer, Pgbench> pgbench,
            Map<Integer, Placed> api,
            int apiPayload,
            Drain drain,
            List<Step> steps,
            Overload overload,
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

        reportBaseline(out, pgbench, api, apiPayload);
        if (drain == null) {
            out.append("B. drain: not run (bench.overloadOnly)\n");
        } else {
            reportDrain(out, drain);
        }
        if (steps.isEmpty()) {
            out.append("C. steady rates: not run (bench.overloadOnly)\n");
        } else {
            reportSteps(out, steps);
        }
        overload.phase()
                .ifPresentOrElse(
                        phase -> phase.report(out),
                        () -> out.append("D. overload: " + overload.notRun()).append('\n'));
        reportCpu(out, pgbench, steps, overload);
        row(out, "dead letters", deadLetters + " records on the .dlt topics (expected 0)");
        StringBuilder load = new StringBuilder("%.2f at the start".formatted(machine.loadAverage()));
        loads.forEach((phase, average) -> load.append(", %.2f after %s".formatted(average, phase)));
        row(out, "load average", load + " (1 min; %d means all CPUs busy)".formatted(machine.cpus()));
        if (!lag.lastError().isEmpty()) {
            row(out, "lag sampling", "failed at least once: " + lag.lastError());
        }
        out.append(line).append('\n');
        out.append(
                        steps.isEmpty()
                                ? "Highest sustained rate: not measured (bench.overloadOnly)"
                                : highestSustained(steps))
                .append('\n');
        out.append(line).append('\n');
        return out.toString();
    }

    private void reportBaseline(
            StringBuilder out, Map<Integer, Pgbench> pgbench, Map<Integer, Placed> api, int apiPayload) {
        out.append("A. PostgreSQL alone (pgbench, %d s)".formatted(PGBENCH_TIME.toSeconds()))
                .append(
                        api.isEmpty()
                                ? ""
                                : " and POST /orders alone (closed loop, %d s)".formatted(CLOSED_LOOP_TIME.toSeconds()))
                .append(", stock-service and mail-service stopped\n");
        List<List<String>> rows = new ArrayList<>();
        for (int clients : CLIENTS) {
            Pgbench pg = pgbench.get(clients);
            List<String> cells = new ArrayList<>(List.of(
                    Integer.toString(clients),
                    "%.0f".formatted(pg.tps()),
                    time(percentile(pg.latencyMicros(), 0.5)),
                    time(percentile(pg.latencyMicros(), 0.99))));
            Placed placed = api.get(clients);
            if (placed != null) {
                double accepted = placed.accepted() / seconds(CLOSED_LOOP_TIME);
                cells.addAll(List.of(
                        "%.0f".formatted(accepted),
                        time(percentile(placed.latencyMicros(), 0.5)),
                        time(percentile(placed.latencyMicros(), 0.99)),
                        "%.2f".formatted(accepted / pg.tps()),
                        Integer.toString(placed.failed())));
            }
            rows.add(cells);
        }
        List<String> header = new ArrayList<>(List.of("clients", "pgbench tps", "pgbench p50", "pgbench p99"));
        if (!api.isEmpty()) {
            header.addAll(List.of("API accepted/s", "API p50", "API p99", "API/pgbench", "API failed"));
        }
        table(out, header, rows);
        out.append("   pgbench: the API's transaction (key claim, order, 1 line, outbox row of %d bytes; the API's"
                        .formatted(pgbench.get(CLIENTS.getFirst()).payloadBytes()))
                .append(" OrderPlaced payloads: %s bytes)"
                        .formatted(api.isEmpty() ? "n/a" : Integer.toString(apiPayload)))
                .append(", prepared statements, over TCP inside the postgres container\n");
        if (api.isEmpty()) {
            out.append("   POST /orders closed loop: not run (bench.overloadOnly)\n");
        }
    }

    private void reportDrain(StringBuilder out, Drain drain) {
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
    }

    private void reportSteps(StringBuilder out, List<Step> steps) {
        out.append("C. steady rates, %d s each; completed = settled and both mails SENT by step end + %d s\n"
                .formatted(settings.step().toSeconds(), GRACE.toSeconds()));
        List<List<String>> rows = new ArrayList<>();
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
                    "%.1f".formatted(step.completion.completed() / step.seconds),
                    time(percentile(step.completion.toSettled(), 0.5)),
                    time(percentile(step.completion.toSettled(), 0.99)),
                    time(percentile(step.completion.toLastMail(), 0.5)),
                    time(percentile(step.completion.toLastMail(), 0.99)),
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
            cells.add("%d/%d".formatted(step.completion.confirmed(), step.completion.rejected()));
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
    }

    /**
     * E: the CPU per order, from the containers' cgroup CPU time: the yardstick (PostgreSQL's CPU per pgbench
     * transaction), then each steady step's window and the overload phase's.
     */
    private static void reportCpu(
            StringBuilder out, Map<Integer, Pgbench> pgbench, List<Step> steps, Overload overload) {
        out.append("E. CPU per completed order, ms (each container's cgroup CPU time over the window / the window's")
                .append(" completed orders)\n");
        List<List<String>> rows = new ArrayList<>();
        pgbench.forEach((clients, pg) -> {
            long cpu = pg.cpu().cpuMicros("postgres");
            rows.add(List.of(
                    Integer.toString(clients),
                    Long.toString(pg.transactions()),
                    cpu == ContainerUsage.UNKNOWN ? "n/a" : "%.0f".formatted(cpu / 1000.0),
                    cpu == ContainerUsage.UNKNOWN
                            ? "n/a"
                            : "%.2f".formatted(cpu / 1e6 / pg.cpu().seconds()),
                    cpu == ContainerUsage.UNKNOWN || pg.transactions() == 0
                            ? "n/a"
                            : ContainerUsage.ms(cpu / 1000.0 / pg.transactions())));
        });
        table(
                out,
                List.of(
                        "pgbench clients",
                        "transactions",
                        "postgres CPU ms",
                        "postgres cores busy",
                        "postgres CPU ms/transaction"),
                rows);
        List<ContainerUsage.Window> windows = new ArrayList<>();
        steps.stream().filter(step -> step.cpu != null).forEach(step -> windows.add(step.cpu));
        overload.phase().ifPresent(phase -> windows.add(phase.cpu()));
        if (windows.isEmpty()) {
            row(out, "steps, overload", "no window measured");
            return;
        }
        List<String> header = new ArrayList<>(List.of("container"));
        windows.forEach(window -> header.add(window.name()));
        table(out, header, ContainerUsage.cpuPerOrder(windows));
        out.append("   pgbench's own CPU counts in postgres: it runs in that container. A step's window: from its")
                .append(" start until the pipeline was quiet again; the overload's: from its closed loop's start")
                .append(" until quiet. Completed = settled and both mails SENT by the window's end; n/a = not")
                .append(" readable, or no order; >= = some containers not readable; restarted = counters reset\n");
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

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    static void row(StringBuilder out, String label, String value) {
        out.append("  %-18s %s%n".formatted(label, value));
    }

    /** A plain text table: the first column left-aligned, the others right-aligned; short rows span the rest. */
    static void table(StringBuilder out, List<String> header, List<List<String>> rows) {
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

    static void progress(String message) {
        System.out.printf(
                "[pipeline-benchmark %s +%ds] %s%n",
                CLOCK.format(Instant.now()), (System.nanoTime() - STARTED) / 1_000_000_000L, message);
    }

    // ---- records ----

    /** What to run: from system properties, see the class comment. */
    record Settings(
            List<Integer> rates,
            Duration step,
            Duration limit,
            Duration drainLimit,
            int maxInFlight,
            Duration warmUp,
            OverloadPhase.Settings overload) {

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
                    rates,
                    step,
                    duration("bench.limit", "30m"),
                    duration("bench.drainLimit", "10m"),
                    maxInFlight,
                    duration("bench.warmUp", "60s"),
                    OverloadPhase.Settings.fromSystemProperties());
        }

        static Duration duration(String property, String fallback) {
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
                    + " %d s, drain limit %s, time limit %s, warm-up %d s; %s"
                            .formatted(
                                    OrderTraffic.REQUEST_TIMEOUT.toSeconds(),
                                    text(drainLimit),
                                    text(limit),
                                    warmUp.toSeconds(),
                                    overload.describe());
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

    /** @param cpu the run's window, for PostgreSQL's CPU per transaction */
    record Pgbench(double tps, long transactions, long[] latencyMicros, ContainerUsage.Window cpu, int payloadBytes) {

        Pgbench(double tps, long transactions, long[] latencyMicros, ContainerUsage.Window cpu) {
            this(tps, transactions, latencyMicros, cpu, 0);
        }

        Pgbench withPayload(int bytes) {
            return new Pgbench(tps, transactions, latencyMicros, cpu, bytes);
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

    /** One rate's results; {@code notRun} says why it was not run, if it was not. */
    static final class Step {

        final int rate;
        final String notRun;
        final Placed placed;
        final double seconds;
        /** The step's orders by step end + {@link #GRACE}. */
        final Completion completion;

        final Map<String, GroupLag> lags;
        final String customer;
        /** The start of the step's CPU window; {@link #cpu} is the window, once the pipeline is quiet again. */
        final ContainerUsage.Snapshot cpuFrom;

        ContainerUsage.Window cpu;
        MailCheck mails;

        Step(
                int rate,
                String notRun,
                Placed placed,
                double seconds,
                Completion completion,
                Map<String, GroupLag> lags,
                String customer,
                ContainerUsage.Snapshot cpuFrom) {
            this.rate = rate;
            this.notRun = notRun;
            this.placed = placed;
            this.seconds = seconds;
            this.completion = completion;
            this.lags = lags;
            this.customer = customer;
            this.cpuFrom = cpuFrom;
        }

        static Step notRun(int rate, String why) {
            return new Step(rate, why, null, 0, null, Map.of(), "", null);
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
                    && completion.completed() == placed.accepted()
                    && lags.values().stream().allMatch(lag -> lag.sampled() && !lag.grew());
        }
    }

    /** {@code docker compose down -v}, once: at the end, on failure, on the time limit, on Ctrl-C. */
}
