package dev.shopflow.order;

import static dev.shopflow.order.RelayBenchmark.awaitAtLeast;
import static dev.shopflow.order.RelayBenchmark.progress;

import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.outbox.OutboxWriter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Phase A of {@link RelayBenchmark}: commit-to-Kafka latency at a steady {@value #RATE} events/s, after a warm-up,
 * with the relay's own lag timer beside it.
 */
final class RelayLatencyPhase {

    static final int RATE = 500;
    static final Duration STEADY = Duration.ofSeconds(20);
    private static final Duration WARM_UP = Duration.ofSeconds(5);
    private static final int WRITERS = 4;
    private static final List<OrderLine> LINES = List.of(
            new OrderLine("SKU-1001", 2, new BigDecimal("19.99")),
            new OrderLine("SKU-2002", 1, new BigDecimal("5.00")),
            new OrderLine("SKU-3003", 4, new BigDecimal("12.50")));
    private static final BigDecimal TOTAL = new BigDecimal("94.98");

    private RelayLatencyPhase() {}

    static Latency measure(BenchmarkedOrderService app, RelayTopicReader topic) throws InterruptedException {
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

    private static long percentile(long[] sorted, double quantile) {
        return sorted[Math.max(0, (int) Math.ceil(quantile * sorted.length) - 1)];
    }

    private static long epochMicros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }

    record Paced(Map<String, Long> committedAt, double achievedRate, double commitAfterDueP99Millis) {}

    record Latency(Paced paced, long[] micros, double relayMeanMillis, long relayEvents) {

        double percentileMillis(double quantile) {
            return percentile(micros, quantile) / 1000.0;
        }

        double meanMillis() {
            return Arrays.stream(micros).average().orElseThrow() / 1000.0;
        }
    }
}
