package dev.shopflow.order;

import ch.qos.logback.classic.Level;
import dev.shopflow.events.EventHeaders;
import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.events.Topics;
import dev.shopflow.outbox.OutboxWriter;
import dev.shopflow.relay.RelayProperties;
import dev.shopflow.testsupport.Containers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.support.TransactionTemplate;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Figures for the outbox relay, against PostgreSQL and Kafka containers of its own: commit-to-Kafka latency at a
 * steady rate (phase A), and how fast a backlog drains when the relay starts (phase B). Not a test: run it with
 * {@code ./mvnw -pl order-service exec:java} after an install; docs/benchmarks.md says what each figure measures.
 *
 * <p>Arguments are passed on to order-service, to try other settings, e.g. {@code
 * -Dexec.args="--shopflow.outbox.relay.max-batch-size=8192"}.
 */
final class RelayBenchmark {

    private static final int RATE = 500;
    private static final Duration WARM_UP = Duration.ofSeconds(5);
    private static final Duration STEADY = Duration.ofSeconds(20);
    private static final int WRITERS = 4;
    private static final int BACKLOG = 100_000;
    private static final int BACKLOG_BATCH = 10_000;
    private static final double DRAIN_TARGET = 20_000;
    private static final int PARTITIONS = 3;
    private static final Duration LIMIT = Duration.ofMinutes(15);
    private static final List<OrderLine> LINES = List.of(
            new OrderLine("SKU-1001", 2, new BigDecimal("19.99")),
            new OrderLine("SKU-2002", 1, new BigDecimal("5.00")),
            new OrderLine("SKU-3003", 4, new BigDecimal("12.50")));
    private static final BigDecimal TOTAL = new BigDecimal("94.98");
    private static final String BACKLOG_INSERT = """
            insert into outbox (id, aggregatetype, aggregateid, type, schema_version, payload, timestamp)
            select e.id, 'orders', e.order_id::text, 'OrderPlaced', 1,
                   jsonb_build_object(
                       'eventId', e.id, 'orderId', e.order_id,
                       'occurredAt', to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                       'customerId', 'customer-' || e.n, 'customerEmail', 'customer-' || e.n || '@example.com',
                       'lines', jsonb_build_array(
                           jsonb_build_object('productId', 'SKU-1001', 'quantity', 2, 'unitPrice', 19.99),
                           jsonb_build_object('productId', 'SKU-2002', 'quantity', 1, 'unitPrice', 5.00),
                           jsonb_build_object('productId', 'SKU-3003', 'quantity', 4, 'unitPrice', 12.50)),
                       'total', 94.98),
                   now()
            from (select gen_random_uuid() as id, gen_random_uuid() as order_id, n
                  from generate_series(1, %d) as n) as e""".formatted(BACKLOG_BATCH);

    private final PostgreSQLContainer postgres;
    private final KafkaContainer kafka;
    private final List<String> appArgs;
    private final double loadBefore;

    private RelayBenchmark(
            PostgreSQLContainer postgres, KafkaContainer kafka, List<String> appArgs, double loadBefore) {
        this.postgres = postgres;
        this.kafka = kafka;
        this.appArgs = appArgs;
        this.loadBefore = loadBefore;
    }

    public static void main(String[] args) {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        Thread.ofPlatform().daemon().name("benchmark-limit").start(() -> {
            LockSupport.parkNanos(LIMIT.toNanos());
            System.err.println("Relay benchmark did not finish within " + LIMIT + "; giving up");
            System.exit(3);
        });
        double load = loadAverage();
        int status = 1;
        try (PostgreSQLContainer postgres = Containers.relayPostgres("max_wal_size=4GB");
                KafkaContainer kafka = Containers.kafka()) {
            progress("starting PostgreSQL and Kafka containers");
            Startables.deepStart(postgres, kafka).get(3, TimeUnit.MINUTES);
            new RelayBenchmark(postgres, kafka, List.of(args), load).run();
            status = 0;
        } catch (Exception e) {
            System.err.println("Relay benchmark failed: " + e);
            e.printStackTrace();
        }
        System.exit(status);
    }

    private void run() throws Exception {
        createTopic();
        try (TopicReader topic = new TopicReader(kafka.getBootstrapServers())) {
            Latency latency;
            RelayProperties relay;
            try (App app = startApp()) {
                relay = app.context().getBean(RelayProperties.class);
                latency = measureLatency(app, topic);
                progress("stopping order-service (the relay's slot and offsets stay)");
            }
            Drain drain = measureDrain(topic);
            printSummary(relay, latency, drain);
        }
    }

    private Latency measureLatency(App app, TopicReader topic) throws InterruptedException {
        OutboxWriter outbox = app.context().getBean(OutboxWriter.class);
        TransactionTemplate transactions = app.context().getBean(TransactionTemplate.class);
        MeterRegistry registry = app.context().getBean(MeterRegistry.class);

        progress("waiting for the relay to carry a first event");
        topic.awaitAll(writeAtRate(outbox, transactions, 1).committedAt().keySet(), Duration.ofMinutes(2));
        progress("warming up: " + RATE + " events/s for " + WARM_UP.toSeconds() + " s");
        topic.awaitAll(
                writeAtRate(outbox, transactions, (int) (RATE * WARM_UP.toSeconds()))
                        .committedAt()
                        .keySet(),
                Duration.ofMinutes(1));

        Timer lag = registry.get("shopflow.outbox.relay.lag").timer();
        long lagCountBefore = lag.count();
        double lagTotalBefore = lag.totalTime(TimeUnit.MILLISECONDS);
        progress("phase A: " + RATE + " events/s for " + STEADY.toSeconds() + " s");
        Paced steady = writeAtRate(outbox, transactions, (int) (RATE * STEADY.toSeconds()));
        topic.awaitAll(steady.committedAt().keySet(), Duration.ofMinutes(1));
        long events = steady.committedAt().size();
        awaitAtLeast(lag::count, lagCountBefore + events, Duration.ofSeconds(30));

        long[] micros = steady.committedAt().entrySet().stream()
                .mapToLong(e -> topic.appendedAtMillis(e.getKey()) * 1000 - e.getValue())
                .sorted()
                .toArray();
        double relayMean = (lag.totalTime(TimeUnit.MILLISECONDS) - lagTotalBefore) / (lag.count() - lagCountBefore);
        return new Latency(steady, micros, relayMean, lag.count() - lagCountBefore);
    }

    /**
     * Appends {@code count} OrderPlaced events, each in a transaction of its own, the i-th due at start + i/RATE
     * whatever the earlier ones took: a dispatcher hands each to a pool of writers when it is due.
     */
    private static Paced writeAtRate(OutboxWriter outbox, TransactionTemplate transactions, int count)
            throws InterruptedException {
        Map<String, Long> committedAt = new ConcurrentHashMap<>();
        long[] commitAfterDue = new long[count];
        long interval = TimeUnit.SECONDS.toNanos(1) / RATE;
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long due = start + i * interval;
            while (System.nanoTime() < due) {
                LockSupport.parkNanos(due - System.nanoTime());
            }
            int index = i;
            writers.execute(() -> {
                OrderPlaced event = orderPlaced(index);
                transactions.executeWithoutResult(status -> outbox.append(event));
                committedAt.put(event.eventId().toString(), epochMicros());
                commitAfterDue[index] = System.nanoTime() - due;
            });
        }
        writers.shutdown();
        if (!writers.awaitTermination(30, TimeUnit.SECONDS)) {
            writers.shutdownNow();
            throw new IllegalStateException("Writers did not finish within 30 s of the last due time");
        }
        long elapsed = System.nanoTime() - start;
        if (committedAt.size() != count) {
            throw new IllegalStateException("Only " + committedAt.size() + " of " + count + " appends committed");
        }
        Arrays.sort(commitAfterDue);
        return new Paced(committedAt, count * 1e9 / elapsed, percentile(commitAfterDue, 0.99) / 1e6);
    }

    private static OrderPlaced orderPlaced(int index) {
        return new OrderPlaced(
                UUID.randomUUID(),
                UUID.randomUUID(),
                Instant.now(),
                "customer-" + index,
                "customer-" + index + "@example.com",
                LINES,
                TOTAL);
    }

    private Drain measureDrain(TopicReader topic) throws Exception {
        progress("phase B: inserting a backlog of " + BACKLOG + " events while the relay is stopped");
        long insertStart = System.nanoTime();
        int payloadBytes;
        try (Connection db = DriverManager.getConnection(
                        postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword());
                Statement statement = db.createStatement()) {
            for (int inserted = 0; inserted < BACKLOG; inserted += BACKLOG_BATCH) {
                statement.executeUpdate(BACKLOG_INSERT);
            }
            payloadBytes = (int) queryLong(statement, "select avg(octet_length(payload::text)) from outbox");
        }
        double insertSeconds = seconds(System.nanoTime() - insertStart);

        progress("phase B: starting order-service; timing the relay until it has relayed the backlog");
        long runCalled = System.nanoTime();
        long relayStarted;
        long runReturned;
        long tenth;
        long ninetieth;
        long drained;
        try (App app = startApp()) {
            runReturned = System.nanoTime();
            relayStarted = app.clock().startedAt();
            MeterRegistry registry = app.context().getBean(MeterRegistry.class);
            tenth = awaitAtLeast(() -> acknowledged(registry), BACKLOG / 10, Duration.ofMinutes(5));
            ninetieth = awaitAtLeast(() -> acknowledged(registry), BACKLOG * 9L / 10, Duration.ofMinutes(5));
            drained = awaitAtLeast(() -> acknowledged(registry), BACKLOG, Duration.ofMinutes(5));
            progress("phase B: stopping order-service");
        }

        progress("checking the topic: every outbox row arrived");
        List<String> ids = outboxIds();
        topic.awaitAll(ids, Duration.ofMinutes(2));
        return new Drain(
                payloadBytes,
                insertSeconds,
                seconds(relayStarted - runCalled),
                seconds(runReturned - runCalled),
                seconds(drained - relayStarted),
                BACKLOG * 0.8 / seconds(ninetieth - tenth),
                ids.size(),
                topic.records() - topic.distinct());
    }

    private static long acknowledged(MeterRegistry registry) {
        Counter events = registry.find("shopflow.outbox.relay.events")
                .tag("topic", Topics.ORDERS)
                .counter();
        return events == null ? 0 : (long) events.count();
    }

    /** Polls every 5 ms until {@code value} reaches {@code target}; returns when (System.nanoTime) it did. */
    private static long awaitAtLeast(LongSupplier value, long target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (value.getAsLong() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "Reached " + value.getAsLong() + " of " + target + " within " + timeout);
            }
            Thread.sleep(5);
        }
        return System.nanoTime();
    }

    private App startApp() {
        StartClock clock = new StartClock();
        List<String> args = new ArrayList<>(List.of(
                "--spring.datasource.url=" + postgres.getJdbcUrl(),
                "--spring.datasource.username=" + postgres.getUsername(),
                "--spring.datasource.password=" + postgres.getPassword(),
                "--spring.kafka.bootstrap-servers=" + kafka.getBootstrapServers(),
                "--server.port=0",
                "--spring.main.banner-mode=off",
                "--logging.level.root=WARN"));
        args.addAll(appArgs);
        SpringApplication application = new SpringApplication(OrderServiceApplication.class);
        application.addInitializers(
                context -> context.getBeanFactory().registerSingleton("relayBenchmarkStartClock", clock));
        return new App(application.run(args.toArray(String[]::new)), clock);
    }

    private void createTopic() throws Exception {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers()))) {
            NewTopic orders = new NewTopic(Topics.ORDERS, PARTITIONS, (short) 1)
                    .configs(Map.of("message.timestamp.type", "LogAppendTime"));
            admin.createTopics(List.of(orders)).all().get(1, TimeUnit.MINUTES);
        }
    }

    private List<String> outboxIds() throws SQLException {
        try (Connection db = DriverManager.getConnection(
                        postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword());
                Statement statement = db.createStatement();
                ResultSet rows = statement.executeQuery("select id::text from outbox")) {
            List<String> ids = new ArrayList<>();
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
            return ids;
        }
    }

    private String postgresVersion() throws SQLException {
        try (Connection db = DriverManager.getConnection(
                        postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword());
                Statement statement = db.createStatement();
                ResultSet rows = statement.executeQuery("show server_version")) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static long queryLong(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private void printSummary(RelayProperties relay, Latency latency, Drain drain) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        String line = "=".repeat(100);
        StringBuilder out = new StringBuilder();
        out.append('\n').append(line).append('\n');
        row(out, "outbox relay benchmark", Instant.now().truncatedTo(ChronoUnit.SECONDS) + "");
        row(
                out,
                "machine",
                "%d CPUs (%s), %.1f GiB memory, %s %s, load average %.2f before the start"
                        .formatted(
                                Runtime.getRuntime().availableProcessors(),
                                cpuModel(),
                                os.getTotalMemorySize() / (1024.0 * 1024 * 1024),
                                System.getProperty("os.name"),
                                System.getProperty("os.version"),
                                loadBefore));
        row(
                out,
                "JDK",
                "%s %s, max heap %d MiB"
                        .formatted(
                                System.getProperty("java.vm.vendor"),
                                Runtime.version(),
                                Runtime.getRuntime().maxMemory() / (1024 * 1024)));
        row(
                out,
                "infrastructure",
                "PostgreSQL %s (%s, wal_level=logical), %s, topic %s: %d partitions"
                        .formatted(
                                postgresVersion(),
                                Containers.POSTGRES_IMAGE,
                                Containers.KAFKA_IMAGE,
                                Topics.ORDERS,
                                PARTITIONS));
        row(
                out,
                "relay",
                "max-batch-size %d, poll-interval %d ms; arguments to order-service: %s"
                        .formatted(
                                relay.maxBatchSize(),
                                relay.pollInterval().toMillis(),
                                appArgs.isEmpty() ? "none" : String.join(" ", appArgs)));
        out.append(line).append('\n');
        out.append("A. latency: %d events/s for %d s, one OrderPlaced per transaction (OutboxWriter.append)%n"
                .formatted(RATE, STEADY.toSeconds()));
        row(
                out,
                "events",
                "%,d at %.1f events/s achieved (p99 of due time -> commit returned: %.1f ms)"
                        .formatted(
                                latency.micros().length,
                                latency.paced().achievedRate(),
                                latency.paced().commitAfterDueP99Millis()));
        row(
                out,
                "commit -> Kafka",
                "p50 %.1f ms   p95 %.1f ms   p99 %.1f ms   max %.1f ms   mean %.1f ms"
                        .formatted(
                                latency.percentileMillis(0.50),
                                latency.percentileMillis(0.95),
                                latency.percentileMillis(0.99),
                                latency.percentileMillis(1.0),
                                latency.meanMillis()));
        row(out, "", "(client's commit returned -> broker's LogAppendTime of the record, per event)");
        row(
                out,
                "relay's lag timer",
                "mean %.1f ms over %,d events (source commit ts_ms -> producer ack)"
                        .formatted(latency.relayMeanMillis(), latency.relayEvents()));
        out.append("B. backlog drain: %,d events, average payload %d bytes%n".formatted(BACKLOG, drain.payloadBytes()));
        row(
                out,
                "backlog inserted",
                "in %.1f s, %d transactions of %,d rows, relay stopped"
                        .formatted(drain.insertSeconds(), BACKLOG / BACKLOG_BATCH, BACKLOG_BATCH));
        row(
                out,
                "order-service boot",
                "relay started %.2f s after SpringApplication.run was called, which returned after %.2f s"
                        .formatted(drain.relayStartSeconds(), drain.bootSeconds()));
        row(
                out,
                "relay start -> all acked",
                "%.2f s = %,.0f events/s   (target >= %,.0f events/s: %s)"
                        .formatted(
                                drain.drainSeconds(),
                                BACKLOG / drain.drainSeconds(),
                                DRAIN_TARGET,
                                BACKLOG / drain.drainSeconds() >= DRAIN_TARGET ? "met" : "MISSED"));
        row(out, "streaming rate", "%,.0f events/s (10%% -> 90%% acknowledged)".formatted(drain.streamingRate()));
        row(
                out,
                "on the topic",
                "all %,d outbox rows arrived, %d duplicates".formatted(drain.outboxRows(), drain.duplicates()));
        out.append(line).append('\n');
        System.out.print(out);
    }

    private static void row(StringBuilder out, String label, String value) {
        out.append("  %-26s %s%n".formatted(label, value));
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown model");
        } catch (Exception e) {
            return "unknown model";
        }
    }

    /** The machine's 1-minute load average: well above 0 before the start means something else is running. */
    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static long percentile(long[] sorted, double quantile) {
        return sorted[Math.max(0, (int) Math.ceil(quantile * sorted.length) - 1)];
    }

    private static long epochMicros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static void progress(String message) {
        System.out.println(
                "[relay-benchmark " + Instant.now().atOffset(ZoneOffset.UTC).toLocalTime() + "] " + message);
    }

    private record App(ConfigurableApplicationContext context, StartClock clock) implements AutoCloseable {

        @Override
        public void close() {
            context.close();
        }
    }

    /**
     * Notes when the application context starts its lifecycle beans: the first, so just before the relay's
     * leadership, which starts the relay right away.
     */
    private static final class StartClock implements SmartLifecycle {

        private volatile long startedAt;
        private volatile boolean running;

        @Override
        public void start() {
            startedAt = System.nanoTime();
            running = true;
        }

        @Override
        public void stop() {
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            return Integer.MIN_VALUE;
        }

        long startedAt() {
            return startedAt;
        }
    }

    /** Reads the orders topic from the beginning, without a consumer group, keeping each event's LogAppendTime. */
    private static final class TopicReader implements AutoCloseable {

        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Map<String, Long> appendedAt = new HashMap<>();
        private long records;

        TopicReader(String bootstrapServers) {
            consumer = new KafkaConsumer<>(
                    Map.of(
                            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            bootstrapServers,
                            ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                            10_000),
                    new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            List<TopicPartition> partitions = IntStream.range(0, PARTITIONS)
                    .mapToObj(p -> new TopicPartition(Topics.ORDERS, p))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        void awaitAll(Collection<String> eventIds, Duration timeout) {
            Set<String> missing = new HashSet<>(eventIds);
            missing.removeAll(appendedAt.keySet());
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!missing.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(missing.size() + " of " + eventIds.size()
                            + " events did not reach the topic within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.timestampType() != TimestampType.LOG_APPEND_TIME) {
                        throw new IllegalStateException("Record without LogAppendTime: " + record);
                    }
                    Header eventId = record.headers().lastHeader(EventHeaders.EVENT_ID);
                    String id = new String(eventId.value(), StandardCharsets.UTF_8);
                    records++;
                    appendedAt.putIfAbsent(id, record.timestamp());
                    missing.remove(id);
                }
            }
        }

        long appendedAtMillis(String eventId) {
            return appendedAt.get(eventId);
        }

        long records() {
            return records;
        }

        long distinct() {
            return appendedAt.size();
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    private record Paced(Map<String, Long> committedAt, double achievedRate, double commitAfterDueP99Millis) {}

    private record Latency(Paced paced, long[] micros, double relayMeanMillis, long relayEvents) {

        double percentileMillis(double quantile) {
            return percentile(micros, quantile) / 1000.0;
        }

        double meanMillis() {
            return Arrays.stream(micros).average().orElseThrow() / 1000.0;
        }
    }

    private record Drain(
            int payloadBytes,
            double insertSeconds,
            double relayStartSeconds,
            double bootSeconds,
            double drainSeconds,
            double streamingRate,
            long outboxRows,
            long duplicates) {}
}
