package dev.shopflow.order;

import ch.qos.logback.classic.Level;
import dev.shopflow.events.Topics;
import dev.shopflow.relay.RelayProperties;
import dev.shopflow.testsupport.Containers;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Figures for the outbox relay, against PostgreSQL and Kafka containers of its own: commit-to-Kafka latency at a
 * steady rate (phase A, {@link RelayLatencyPhase}), and how fast a backlog drains when the relay starts (phase B,
 * {@link RelayDrainPhase}). Not a test: run it with {@code ./mvnw -pl order-service exec:java} after an install;
 * docs/benchmarks.md says what each figure measures.
 *
 * <p>Arguments are passed on to order-service, to try other settings, e.g. {@code
 * -Dexec.args="--shopflow.outbox.relay.max-batch-size=8192"}.
 */
final class RelayBenchmark {

    static final int PARTITIONS = 3;
    private static final Duration LIMIT = Duration.ofMinutes(15);

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
        try (RelayTopicReader topic = new RelayTopicReader(kafka.getBootstrapServers())) {
            RelayLatencyPhase.Latency latency;
            RelayProperties relay;
            try (BenchmarkedOrderService app = startApp()) {
                relay = app.context().getBean(RelayProperties.class);
                latency = RelayLatencyPhase.measure(app, topic);
                progress("stopping order-service (the relay's slot and offsets stay)");
            }
            RelayDrainPhase.Drain drain = new RelayDrainPhase(postgres, this::startApp).measure(topic);
            new RelayBenchmarkReport(postgres, appArgs, loadBefore).print(relay, latency, drain);
        }
    }

    private BenchmarkedOrderService startApp() {
        return BenchmarkedOrderService.start(postgres, kafka, appArgs);
    }

    private void createTopic() throws Exception {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers()))) {
            NewTopic orders = new NewTopic(Topics.ORDERS, PARTITIONS, (short) 1)
                    .configs(Map.of("message.timestamp.type", "LogAppendTime"));
            admin.createTopics(List.of(orders)).all().get(1, TimeUnit.MINUTES);
        }
    }

    /** Polls every 5 ms until {@code value} reaches {@code target}; returns when (System.nanoTime) it did. */
    static long awaitAtLeast(LongSupplier value, long target, Duration timeout) throws InterruptedException {
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

    /** The machine's 1-minute load average: well above 0 before the start means something else is running. */
    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    static void progress(String message) {
        System.out.println(
                "[relay-benchmark " + Instant.now().atOffset(ZoneOffset.UTC).toLocalTime() + "] " + message);
    }
}
