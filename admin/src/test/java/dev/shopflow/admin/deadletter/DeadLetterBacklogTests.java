package dev.shopflow.admin.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * What counts as a pending dead letter, from the offsets Kafka answers, and what the gauge shows when Kafka does not
 * answer (with real Kafka: mail-service's {@code DeadLetterMetricsTests}).
 */
class DeadLetterBacklogTests {

    static final TopicPartition P0 = new TopicPartition("orders.mail-service.dlt", 0);
    static final TopicPartition P1 = new TopicPartition("orders.mail-service.dlt", 1);

    @Test
    void nothingReDrivenYetCountsEveryRecordKafkaStillHolds() {
        assertThat(DeadLetterBacklog.pending(Map.of(P0, 0L, P1, 3L), Map.of(P0, 2L, P1, 5L), Map.of()))
                .isEqualTo(4);
    }

    @Test
    void aReDriveCountsOnlyTheRecordsAfterWhatItCommitted() {
        Map<TopicPartition, OffsetAndMetadata> redriven = new HashMap<>();
        redriven.put(P0, new OffsetAndMetadata(2));
        redriven.put(P1, null); // a partition the re-drive group never committed

        assertThat(DeadLetterBacklog.pending(Map.of(P0, 0L, P1, 0L), Map.of(P0, 5L, P1, 1L), redriven))
                .isEqualTo(4);
    }

    @Test
    void recordsRetentionDeletedAreNotPending() {
        assertThat(DeadLetterBacklog.pending(Map.of(P0, 8L), Map.of(P0, 10L), Map.of(P0, new OffsetAndMetadata(3))))
                .isEqualTo(2);
    }

    @Test
    void anEmptyTopicHasNonePending() {
        assertThat(DeadLetterBacklog.pending(Map.of(P0, 0L), Map.of(P0, 0L), Map.of(P0, new OffsetAndMetadata(0))))
                .isZero();
    }

    @Test
    void whenKafkaDoesNotAnswerTheReadingGivesUpInTimeAndTheGaugeIsNaN() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DeadLetterBacklog backlog = new DeadLetterBacklog(
                "mail-service",
                List.of("orders"),
                Map.of("bootstrap.servers", "localhost:1"),
                registry,
                Duration.ofHours(1),
                Duration.ofSeconds(1));
        backlog.start();
        try {
            long started = System.nanoTime();

            backlog.refresh();

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            assertThat(registry.get(DeadLetterBacklog.METER)
                            .tag("group", "mail-service")
                            .tag("topic", "orders")
                            .gauge()
                            .value())
                    .isNaN();
        } finally {
            backlog.stop();
        }
    }
}
