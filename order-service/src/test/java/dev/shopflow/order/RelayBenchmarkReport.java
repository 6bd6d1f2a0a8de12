package dev.shopflow.order;

import static dev.shopflow.order.RelayDrainPhase.BACKLOG;
import static dev.shopflow.order.RelayDrainPhase.BACKLOG_BATCH;
import static dev.shopflow.order.RelayDrainPhase.DRAIN_TARGET;
import static dev.shopflow.order.RelayLatencyPhase.RATE;
import static dev.shopflow.order.RelayLatencyPhase.STEADY;

import dev.shopflow.events.Topics;
import dev.shopflow.relay.RelayProperties;
import dev.shopflow.testsupport.Containers;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** The summary {@link RelayBenchmark} prints at the end: the machine, the settings, and the figures of both phases. */
final class RelayBenchmarkReport {

    private final PostgreSQLContainer postgres;
    private final List<String> appArgs;
    private final double loadBefore;

    RelayBenchmarkReport(PostgreSQLContainer postgres, List<String> appArgs, double loadBefore) {
        this.postgres = postgres;
        this.appArgs = appArgs;
        this.loadBefore = loadBefore;
    }

    void print(RelayProperties relay, RelayLatencyPhase.Latency latency, RelayDrainPhase.Drain drain) throws Exception {
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
                                RelayBenchmark.PARTITIONS));
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

    private String postgresVersion() throws SQLException {
        try (Connection db = RelayDrainPhase.connect(postgres);
                Statement statement = db.createStatement();
                ResultSet rows = statement.executeQuery("show server_version")) {
            rows.next();
            return rows.getString(1);
        }
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
}
