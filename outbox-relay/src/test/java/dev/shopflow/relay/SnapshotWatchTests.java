package dev.shopflow.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** A read of the whole outbox table is counted once per engine run, and every batch still reaches the sink. */
class SnapshotWatchTests {

    final RelayMetrics metrics = new RelayMetrics(
            new SimpleMeterRegistry(),
            new RelayLeadership(RelaySettingsTests.properties(Map.of()), RelaySettingsTests.DATABASE),
            null);
    final List<List<RecordChangeEvent<SourceRecord>>> handedOn = new ArrayList<>();
    final DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> sink =
            (batch, committer) -> handedOn.add(batch);

    @Test
    void streamedChangesAreNoSnapshot() throws InterruptedException {
        SnapshotWatch watch = new SnapshotWatch(sink, metrics, "orders_service");

        watch.handleBatch(
                List.of(
                        ChangeEvents.outboxInsert("o-1"),
                        ChangeEvents.heartbeatInsert(),
                        ChangeEvents.debeziumHeartbeat()),
                null);

        assertThat(metrics.snapshots()).isZero();
        assertThat(handedOn).hasSize(1);
    }

    @Test
    void aSnapshotCountsOnceHoweverManyBatchesItTakes() throws InterruptedException {
        SnapshotWatch watch = new SnapshotWatch(sink, metrics, "orders_service");

        watch.handleBatch(List.of(ChangeEvents.snapshotRead("o-1", Instant.now(), "first")), null);
        watch.handleBatch(List.of(ChangeEvents.snapshotRead("o-2", Instant.now(), "last")), null);
        watch.handleBatch(List.of(ChangeEvents.outboxInsert("o-3")), null);

        assertThat(metrics.snapshots()).isEqualTo(1);
        assertThat(handedOn).hasSize(3);

        new SnapshotWatch(sink, metrics, "orders_service")
                .handleBatch(List.of(ChangeEvents.snapshotRead("o-1", Instant.now(), "first")), null);
        assertThat(metrics.snapshots()).as("the next engine run's snapshot").isEqualTo(2);
    }
}
