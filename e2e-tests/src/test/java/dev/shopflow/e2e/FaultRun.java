package dev.shopflow.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * A fault run over the whole system as {@code docker-compose.yml} runs it, images built from this working tree:
 * orders at a steady rate (each client retrying with its Idempotency-Key until accepted) while, one after the other,
 * Kafka is killed, PostgreSQL restarted, each service killed with SIGKILL, order-service's traffic to PostgreSQL
 * black-holed, and both relays' replication slots invalidated by PostgreSQL while Kafka stays down for longer than
 * the outbox retention (shortened to 30 s for the run), so the outbox is re-read after retention had every chance to
 * delete what was not sent. Then it checks what a customer and the
 * shop would: every accepted order decided, both mails of each received (a mail sent again for the same event,
 * same Message-ID, is the documented SMTP window and counted; a mail for a second event of the same kind is
 * invented), stock exact, nothing dead-lettered or parked, every group caught up. Not a test, so that {@code
 * ./mvnw verify} never runs it:
 *
 * <pre>./mvnw -q -pl e2e-tests test-compile exec:java -Dexec.mainClass=dev.shopflow.e2e.FaultRun</pre>
 *
 * <p>Settings (system properties): {@code faults.rate} (orders/s, default 5), {@code faults.limitMinutes} (the whole
 * run, default 40: then it tears down and exits 3). Exits 0 when nothing was lost, stuck or invented, 1 otherwise.
 */
final class FaultRun {

    private static final Path ROOT =
            Path.of(System.getProperty("shopflow.root", "..")).toAbsolutePath().normalize();
    private static final Path LOGS = ROOT.resolve("e2e-tests/target/faults");
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final long STARTED = System.nanoTime();
    private static final Instant STARTED_AT = Instant.now();
    private static final String RECEIVED = "We received your order";
    private static final String CONFIRMED = "Your order is confirmed";
    private static final String NOT_FULFILLED = "Your order could not be fulfilled";
    private static final Duration PAUSE = Duration.ofSeconds(25);
    private static final Duration OUTBOX_RETENTION = Duration.ofSeconds(30);
    /** Longer than the outbox retention plus one run of it (every minute): retention had its chance to delete. */
    private static final Duration LONG_OUTAGE = OUTBOX_RETENTION.plus(Duration.ofSeconds(90));

    private static final Duration SETTLE = Duration.ofMinutes(6);
    private static final Duration ORDER_PATIENCE = Duration.ofMinutes(4);

    private final Compose compose;
    private final int rate;
    private final Map<String, Placed> accepted = new ConcurrentHashMap<>();
    private final AtomicInteger failedAttempts = new AtomicInteger();
    private final AtomicInteger gaveUp = new AtomicInteger();
    private final List<String> timeline = new ArrayList<>();
    private Shop shop;
    private volatile boolean trafficOn = true;

    record Placed(String id, String product, String email, Instant at) {}

    private FaultRun(Compose compose, int rate) {
        this.compose = compose;
        this.rate = rate;
    }

    public static void main(String[] args) {
        int rate = Integer.parseInt(System.getProperty("faults.rate", "5"));
        Duration limit = Duration.ofMinutes(Long.parseLong(System.getProperty("faults.limitMinutes", "40")));
        // the outbox keeps relayed rows 30 s instead of an hour, so that the last fault's outage outlasts it
        Compose compose = new Compose("shopflow-faults", ROOT, LOGS)
                .withEnv("OUTBOX_RETENTION", OUTBOX_RETENTION.toSeconds() + "s");
        compose.runAndExit("Fault run", limit, FaultRun::log, () -> new FaultRun(compose, rate).run());
    }

    private boolean run() throws Exception {
        log("building the images and starting the stack (compose project shopflow-faults)");
        compose.run(Duration.ofMinutes(2), "down", "--volumes", "--remove-orphans");
        compose.up(Duration.ofMinutes(20), Duration.ofMinutes(10));
        shop = new Shop(
                compose, compose.port("ORDER_PORT"), compose.port("STOCK_PORT"), compose.port("GREENMAIL_API_PORT"));
        Map<String, Integer> stockBefore = stockLevels();
        log("stack healthy; stock " + stockBefore + "; placing %d orders/s".formatted(rate));

        Thread traffic = Thread.ofPlatform().name("fault-run-traffic").start(this::placeOrders);
        faults();
        trafficOn = false;
        traffic.join();
        log("traffic stopped: %d orders accepted, %d attempts failed and were retried, %d orders given up"
                .formatted(accepted.size(), failedAttempts.get(), gaveUp.get()));

        return check(stockBefore);
    }

    /** The faults, one after the other, with traffic running throughout. */
    private void faults() {
        pause(Duration.ofSeconds(15));
        fault("Kafka killed (SIGKILL) for 20 s", () -> {
            compose.run(Duration.ofMinutes(1), "kill", "kafka");
            pause(Duration.ofSeconds(20));
            compose.run(Duration.ofMinutes(2), "start", "kafka");
        });
        pause(PAUSE);
        fault("PostgreSQL restarted", () -> compose.run(Duration.ofMinutes(2), "restart", "postgres"));
        for (String service : List.of("order-service", "stock-service", "mail-service")) {
            pause(PAUSE);
            fault(service + " killed (SIGKILL) and started", () -> {
                compose.run(Duration.ofMinutes(1), "kill", service);
                compose.startAgain(Duration.ofMinutes(1), service);
            });
        }
        pause(PAUSE);
        fault("order-service's packets to and from PostgreSQL dropped for 40 s (relay leader black-holed)", () -> {
            String postgres = address("postgres");
            List<String> rule = List.of("-s", postgres, "-j", "DROP");
            List<String> out = List.of("-d", postgres, "-j", "DROP");
            inNetworkOf("order-service", "iptables", "-I", "INPUT", rule);
            inNetworkOf("order-service", "iptables", "-I", "OUTPUT", out);
            try {
                pause(Duration.ofSeconds(40));
            } finally {
                inNetworkOf("order-service", "iptables", "-D", "INPUT", rule);
                inNetworkOf("order-service", "iptables", "-D", "OUTPUT", out);
            }
        });
        pause(PAUSE);
        fault(
                "both replication slots invalidated (max_slot_wal_keep_size 64MB, Kafka down for "
                        + LONG_OUTAGE.toSeconds() + " s, longer than the outbox retention of "
                        + OUTBOX_RETENTION.toSeconds()
                        + " s, WAL written): the outbox re-read",
                () -> {
                    long kafkaDown = System.nanoTime();
                    superuser("alter system set max_slot_wal_keep_size = '64MB'");
                    superuser("select pg_reload_conf()");
                    compose.run(Duration.ofMinutes(1), "kill", "kafka");
                    try {
                        superuser("create table if not exists ballast (id bigint, filler text)");
                        awaitUntil("both slots lost", Duration.ofMinutes(4), () -> {
                            superuser(
                                    "insert into ballast select g, repeat(md5(g::text), 30) from generate_series(1, 20000) g");
                            superuser("checkpoint");
                            return superuser("select count(*) from pg_replication_slots where wal_status = 'lost'")
                                    .strip()
                                    .equals("2");
                        });
                        long left = LONG_OUTAGE.toNanos() - (System.nanoTime() - kafkaDown);
                        if (left > 0) {
                            pause(Duration.ofNanos(left));
                        }
                    } finally {
                        superuser("drop table if exists ballast");
                        superuser("alter system reset max_slot_wal_keep_size");
                        superuser("select pg_reload_conf()");
                        compose.run(Duration.ofMinutes(2), "start", "kafka");
                    }
                });
        pause(Duration.ofSeconds(30));
    }

    private void fault(String what, Runnable fault) {
        long start = System.nanoTime();
        log("fault: " + what);
        fault.run();
        String line = "%4ds  %s (%.0f s)"
                .formatted(Duration.ofNanos(start - STARTED).toSeconds(), what, (System.nanoTime() - start) / 1e9);
        timeline.add(line);
    }

    /** Places {@code rate} orders a second, each in a thread of its own that retries until it is accepted. */
    private void placeOrders() {
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            long start = System.nanoTime();
            for (long n = 0; trafficOn; n++) {
                long due = start + n * 1_000_000_000L / rate;
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
                long number = n;
                clients.execute(() -> placeOne(number));
            }
        }
    }

    private void placeOne(long n) {
        String product =
                OrderTraffic.products().get((int) (n % OrderTraffic.products().size()));
        String customer = "faults-" + RUN + "-" + n;
        String email = customer + "@faults.shopflow.dev";
        String body =
                "{\"customerId\":\"%s\",\"customerEmail\":\"%s\",\"lines\":[{\"productId\":\"%s\",\"quantity\":1,\"unitPrice\":5.00}]}"
                        .formatted(customer, email, product);
        long giveUp = System.nanoTime() + ORDER_PATIENCE.toNanos();
        while (System.nanoTime() < giveUp) {
            Optional<HttpResponse<String>> response = shop.tryPlace(customer, body);
            if (response.isPresent() && response.get().statusCode() == 201) {
                accepted.put(
                        customer,
                        new Placed(
                                Shop.json(response.get().body()).path("id").asString(), product, email, Instant.now()));
                return;
            }
            if (response.isPresent() && response.get().statusCode() < 500) {
                throw new IllegalStateException("order refused: "
                        + response.get().statusCode() + " " + response.get().body());
            }
            failedAttempts.incrementAndGet();
            LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
        }
        gaveUp.incrementAndGet();
    }

    private boolean check(Map<String, Integer> stockBefore) {
        Map<String, String> statuses = new TreeMap<>();
        boolean decided = awaitQuietly("every accepted order decided", SETTLE, () -> {
            accepted.values().forEach(order -> statuses.put(order.id(), shop.orderStatus(order.id())));
            return statuses.values().stream().noneMatch("PENDING"::equals);
        });
        Map<String, Long> byStatus = new TreeMap<>();
        statuses.values().forEach(status -> byStatus.merge(status, 1L, Long::sum));

        Map<Placed, List<JsonNode>> mails = new LinkedHashMap<>();
        boolean mailed = awaitQuietly("both mails of every order received", SETTLE, () -> {
            accepted.values().forEach(order -> mails.put(order, shop.mails(order.email())));
            return mails.values().stream().allMatch(received -> received.size() >= 2);
        });
        long wrongMails = 0;
        long sameEventAgain = 0;
        long otherEvent = 0;
        Map<Long, Long> duplicatesByMinute = new TreeMap<>();
        for (Map.Entry<Placed, List<JsonNode>> entry : mails.entrySet()) {
            Placed order = entry.getKey();
            String outcome = "CONFIRMED".equals(statuses.get(order.id())) ? CONFIRMED : NOT_FULFILLED;
            List<String> expected = List.of(RECEIVED + " (" + order.id() + ")", outcome + " (" + order.id() + ")");
            List<String> got = entry.getValue().stream()
                    .map(mail -> mail.path("subject").asString())
                    .toList();
            if (!got.containsAll(expected) || got.stream().anyMatch(subject -> !expected.contains(subject))) {
                wrongMails++;
                log("order %s: mails %s, expected %s".formatted(order.id(), got, expected));
            }
            Map<String, List<String>> messageIds = new LinkedHashMap<>();
            for (JsonNode mail : entry.getValue()) {
                String mime = mail.path("mimeMessage").asString();
                messageIds
                        .computeIfAbsent(mail.path("subject").asString(), subject -> new ArrayList<>())
                        .add(header(mime, "Message-ID"));
                if (got.stream().filter(mail.path("subject").asString()::equals).count() > 1) {
                    duplicatesByMinute.merge(secondsSinceStart(header(mime, "Date")) / 10 * 10, 1L, Long::sum);
                }
            }
            for (List<String> ids : messageIds.values()) {
                long distinct = ids.stream().distinct().count();
                sameEventAgain += ids.size() - distinct;
                otherEvent += distinct - 1;
            }
        }

        Map<String, Integer> stockAfter = stockLevels();
        List<String> stockProblems = new ArrayList<>();
        for (String product : OrderTraffic.products()) {
            long ordered = accepted.values().stream()
                    .filter(order -> order.product().equals(product))
                    .count();
            long confirmed = accepted.values().stream()
                    .filter(order -> order.product().equals(product) && "CONFIRMED".equals(statuses.get(order.id())))
                    .count();
            long expectedConfirmed = Math.min(ordered, stockBefore.get(product));
            if (confirmed != expectedConfirmed || stockAfter.get(product) != stockBefore.get(product) - confirmed) {
                stockProblems.add("%s: %d ordered, %d confirmed (expected %d), stock %d -> %d"
                        .formatted(
                                product,
                                ordered,
                                confirmed,
                                expectedConfirmed,
                                stockBefore.get(product),
                                stockAfter.get(product)));
            }
        }

        String lag = compose.kafkaCli(
                        "kafka-consumer-groups.sh",
                        "--bootstrap-server",
                        "localhost:9092",
                        "--describe",
                        "--all-groups")
                .output();
        long lagTotal = lag.lines()
                .map(line -> line.trim().split("\\s+"))
                .filter(columns -> columns.length >= 6 && columns[5].matches("\\d+"))
                .mapToLong(columns -> Long.parseLong(columns[5]))
                .sum();
        long deadLetters = 0;
        for (String topic : List.of("orders.stock-service.dlt", "orders.mail-service.dlt", "stock.order-service.dlt")) {
            deadLetters += compose.kafkaCli(
                            "kafka-get-offsets.sh", "--bootstrap-server", "localhost:9092", "--topic", topic)
                    .output()
                    .lines()
                    .map(line -> line.split(":"))
                    .filter(parts -> parts.length == 3 && parts[2].strip().matches("\\d+"))
                    .mapToLong(parts -> Long.parseLong(parts[2].strip()))
                    .sum();
        }
        String parked = psql("orders", "orders", "select count(*) from outbox_parked")
                        .strip() + " / "
                + psql("stock", "stock", "select count(*) from outbox_parked").strip();
        String slots = psql(
                        "orders",
                        "orders",
                        "select string_agg(slot_name || ' ' || coalesce(wal_status, '?') || ' active=' || active, ', ')"
                                + " from pg_replication_slots")
                .strip();

        StringBuilder report = new StringBuilder("\nFault run ")
                .append(RUN)
                .append(", ")
                .append(rate)
                .append(" orders/s\n\nFaults (seconds since start):\n");
        timeline.forEach(line -> report.append("  ").append(line).append('\n'));
        report.append("\n");
        row(report, "orders accepted", accepted.size());
        row(report, "all decided / all mailed within " + SETTLE.toMinutes() + " min", decided + " / " + mailed);
        row(report, "attempts that failed and were retried", failedAttempts.get());
        row(report, "orders a client gave up on (4 min of retries)", gaveUp.get());
        row(report, "orders by status", byStatus);
        row(report, "orders left PENDING", byStatus.getOrDefault("PENDING", 0L));
        row(report, "orders whose mails are wrong or missing", wrongMails);
        row(report, "mails sent again for the same event (same Message-ID)", sameEventAgain);
        row(report, "mails for a second event of the same kind", otherEvent);
        row(report, "copies of duplicated mails, by 10 s since start", duplicatesByMinute);
        row(report, "stock", stockProblems.isEmpty() ? "exact: " + stockAfter : String.join("; ", stockProblems));
        row(report, "records on the dead-letter topics", deadLetters);
        row(report, "events parked (orders / stock)", parked);
        row(report, "consumer lag, all groups", lagTotal);
        row(report, "replication slots", slots);
        System.out.println(report);

        return decided
                && mailed
                && otherEvent == 0
                && gaveUp.get() == 0
                && byStatus.getOrDefault("PENDING", 0L) == 0
                && wrongMails == 0
                && stockProblems.isEmpty()
                && deadLetters == 0
                && lagTotal == 0;
    }

    /** A header of a MIME message, unfolded; empty when it has none. */
    private static String header(String mime, String name) {
        Matcher matcher = Pattern.compile("(?mi)^" + name + ":[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)")
                .matcher(mime);
        return matcher.find()
                ? matcher.group(1).replaceAll("\\r?\\n[ \\t]+", " ").strip()
                : "";
    }

    /** Seconds from the start of this run to an RFC 5322 date; -60 when it cannot be read. */
    private static long secondsSinceStart(String date) {
        try {
            Instant sent = ZonedDateTime.parse(
                            date.replaceAll("\\s*\\(.*\\)$", ""), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
            return Duration.between(STARTED_AT, sent).toSeconds();
        } catch (RuntimeException e) {
            return -60;
        }
    }

    private static void row(StringBuilder out, String label, Object value) {
        out.append("  %-48s %s%n".formatted(label, value));
    }

    private Map<String, Integer> stockLevels() {
        Map<String, Integer> levels = new TreeMap<>();
        OrderTraffic.products().forEach(product -> levels.put(product, shop.available(product)));
        return levels;
    }

    private String superuser(String sql) {
        return psql("postgres", "postgres", sql);
    }

    private String psql(String database, String user, String sql) {
        return compose.psql(database, user, sql);
    }

    /** The service's container address on the compose network. */
    private String address(String service) {
        String id = compose.output(Duration.ofSeconds(30), "ps", "-q", service).strip();
        return docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", id)
                .strip();
    }

    /** Runs a command in the network namespace of a service's container (host root, as on this project's CI). */
    private void inNetworkOf(String service, String command, String action, String chain, List<String> rule) {
        String id = compose.output(Duration.ofSeconds(30), "ps", "-q", service).strip();
        String pid = docker("inspect", "-f", "{{.State.Pid}}", id).strip();
        List<String> args = new ArrayList<>(List.of("nsenter", "-t", pid, "-n", command, action, chain));
        args.addAll(rule);
        run(args);
    }

    private static String docker(String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        return run(command);
    }

    private static String run(List<String> command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish within 30 s");
            }
            String output = new String(process.getInputStream().readAllBytes());
            if (process.exitValue() != 0) {
                throw new AssertionError(command + " exited with " + process.exitValue() + ": " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Like {@link #awaitUntil}, but says whether it happened instead of failing. */
    private static boolean awaitQuietly(String what, Duration limit, BooleanSupplier condition) {
        try {
            awaitUntil(what, limit, condition);
            return true;
        } catch (AssertionError e) {
            log(e.getMessage());
            return false;
        }
    }

    private static void awaitUntil(String what, Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit + ": " + what);
            }
            pause(Duration.ofSeconds(2));
        }
        log(what);
    }

    private static void pause(Duration duration) {
        LockSupport.parkNanos(duration.toNanos());
    }

    private static void log(String message) {
        System.out.printf(
                "[faults] %4ds %s%n",
                Duration.ofNanos(System.nanoTime() - STARTED).toSeconds(), message);
    }
}
