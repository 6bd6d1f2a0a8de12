package dev.shopflow.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** The sink's promise, with Kafka's own MockProducer: nothing is marked processed before Kafka acknowledged it. */
class KafkaSinkTests {

    /** Every producer the sink took, the newest last: it takes a new one after a failed send. */
    private final List<MockProducer<byte[], byte[]>> producers = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final RelayMetrics metrics = metrics();
    private final List<String> parked = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final KafkaSink sink = new KafkaSink(
            RelayProducerTests.making(this::newProducer),
            metrics,
            (record, error) -> parked.add(record.eventId()),
            RelayTracing.NONE,
            Duration.ofMillis(10),
            Duration.ofMillis(40));
    private final Committer committer = new Committer();

    @Test
    void marksTheBatchProcessedOnlyAfterEveryRecordIsAcknowledged() throws Exception {
        var batch = List.of(
                ChangeEvents.outboxInsert("o-1"), ChangeEvents.heartbeatInsert(), ChangeEvents.outboxInsert("o-2"));
        CompletableFuture<Void> handling = handleAsync(batch);

        await().until(() -> sent().size() == 2);
        assertThat(committer.processed).isEmpty();
        assertThat(metrics.relayedUntil()).as("what retention may delete up to").isNull();
        producer().completeNext();
        producer().completeNext();
        handling.get();

        assertThat(committer.processed).containsExactlyElementsOf(batch);
        assertThat(committer.batchesFinished).isOne();
        assertThat(metrics.relayedUntil()).isEqualTo(ChangeEvents.COMMITTED);
    }

    @Test
    void aFailedSendIsResentFromTheFirstUnacknowledgedRecordInOrder() throws Exception {
        var batch = List.of(
                ChangeEvents.outboxInsert("o-1"), ChangeEvents.outboxInsert("o-2"), ChangeEvents.outboxInsert("o-3"));
        CompletableFuture<Void> handling = handleAsync(batch);

        await().until(() -> sent().size() == 3);
        producer().completeNext();
        producer().errorNext(new TimeoutException("broker gone"));
        producer().errorNext(new TimeoutException("broker gone"));
        await().until(() -> sent().size() == 5);
        assertThat(committer.processed).isEmpty();
        producer().completeNext();
        producer().completeNext();
        handling.get();

        assertThat(keys(sent())).containsExactly("o-1", "o-2", "o-3", "o-2", "o-3");
        assertThat(committer.processed).containsExactlyElementsOf(batch);
    }

    @Test
    void recordsAcknowledgedAfterAFailedOneAreNotSentAgain() throws Exception {
        var batch = List.of(
                ChangeEvents.outboxInsert("o-1"), ChangeEvents.outboxInsert("o-2"), ChangeEvents.outboxInsert("o-3"));
        CompletableFuture<Void> handling = handleAsync(batch);

        await().until(() -> sent().size() == 3);
        producer().completeNext();
        producer().errorNext(new TimeoutException("partition leader gone"));
        producer().completeNext();
        await().until(() -> sent().size() == 4);
        producer().completeNext();
        handling.get();

        assertThat(keys(sent())).containsExactly("o-1", "o-2", "o-3", "o-2");
        assertThat(committer.processed).containsExactlyElementsOf(batch);
    }

    @Test
    void aRecordKafkaRefusesForGoodIsParkedAndTheRestFlowsOn() throws Exception {
        var batch = List.of(ChangeEvents.outboxInsert("o-1"), ChangeEvents.outboxInsert("o-2"));
        CompletableFuture<Void> handling = handleAsync(batch);

        await().until(() -> sent().size() == 2);
        producer().errorNext(new RecordTooLargeException("larger than the topic's max.message.bytes"));
        producer().completeNext();
        handling.get();

        assertThat(parked).hasSize(1);
        assertThat(keys(sent())).containsExactly("o-1", "o-2");
        assertThat(committer.processed).containsExactlyElementsOf(batch);
        assertThat(metrics.failingSince(Duration.ofMinutes(1))).isNull();
    }

    @Test
    void aBatchKafkaDoesNotTakeCountsAsFailingBeforeTheProducerGivesUp() throws Exception {
        CompletableFuture<Void> handling = handleAsync(List.of(ChangeEvents.outboxInsert("o-1")));
        await().until(() -> sent().size() == 1);

        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.failingSince(Duration.ofMillis(100)) != null);

        producer().completeNext();
        handling.get();
        assertThat(metrics.failingSince(Duration.ofMillis(100))).isNull();
    }

    @Test
    void stoppingWhileKafkaIsDownLeavesTheBatchUnprocessed() {
        CompletableFuture<Void> handling = handleAsync(List.of(ChangeEvents.outboxInsert("o-1")));
        await().until(() -> sent().size() == 1);
        producer().errorNext(new TimeoutException("broker gone"));
        await().until(() -> sent().size() == 2);

        sink.stop();
        producer().errorNext(new TimeoutException("broker gone"));

        assertThatThrownBy(handling::get).hasCauseInstanceOf(InterruptedException.class);
        assertThat(committer.processed).isEmpty();
        assertThat(committer.batchesFinished).isZero();
    }

    @Test
    void aFailedSendClosesItsProducerAtOnceAndTheRestIsResentInOrderOnANewOne() throws Exception {
        var batch = List.of(
                ChangeEvents.outboxInsert("o-1"), ChangeEvents.outboxInsert("o-1"), ChangeEvents.outboxInsert("o-1"));
        CompletableFuture<Void> handling = handleAsync(batch);

        await().until(() -> sent().size() == 3);
        producer().completeNext();
        producer().errorNext(new org.apache.kafka.common.errors.ClusterAuthorizationException("not allowed"));
        producer().errorNext(new org.apache.kafka.common.errors.ClusterAuthorizationException("not allowed"));
        await().until(() -> sent().size() == 5);

        assertThat(producers).hasSize(2);
        assertThat(producers.getFirst().closed())
                .as("the failed producer is closed before anything is sent again, so nothing it held lands later")
                .isTrue();
        assertThat(eventIds(producers.get(1).history()))
                .containsExactlyElementsOf(
                        eventIds(producers.getFirst().history()).subList(1, 3));
        producer().completeNext();
        producer().completeNext();
        handling.get();
        assertThat(committer.processed).containsExactlyElementsOf(batch);
    }

    /**
     * A snapshot (a re-read of the outbox) carries the time each row was read, not when it was committed: rows it
     * has not reached were committed long before. Retention must not take it as progress, or it deletes them.
     */
    @Test
    void aSnapshotReadDoesNotAdvanceWhatRetentionMayDelete() throws Exception {
        java.time.Instant readAt = java.time.Instant.now();
        var batch = List.of(
                ChangeEvents.snapshotRead("o-1", readAt, "first"), ChangeEvents.snapshotRead("o-2", readAt, "true"));
        CompletableFuture<Void> handling = handleAsync(batch);

        await().until(() -> sent().size() == 2);
        producer().completeNext();
        producer().completeNext();
        handling.get();

        assertThat(committer.processed).containsExactlyElementsOf(batch);
        assertThat(metrics.relayedUntil()).as("what retention may delete up to").isNull();

        CompletableFuture<Void> streaming = handleAsync(List.of(ChangeEvents.outboxInsert("o-3")));
        await().until(() -> sent().size() == 3);
        producer().completeNext();
        streaming.get();
        assertThat(metrics.relayedUntil()).isEqualTo(ChangeEvents.COMMITTED);
    }

    private MockProducer<byte[], byte[]> newProducer() {
        MockProducer<byte[], byte[]> producer =
                new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        producers.add(producer);
        return producer;
    }

    /** The producer the sink sends with now. */
    private MockProducer<byte[], byte[]> producer() {
        return producers.getLast();
    }

    /** What the sink sent, on every producer it took, in order. */
    private List<ProducerRecord<byte[], byte[]>> sent() {
        return producers.stream().flatMap(p -> p.history().stream()).toList();
    }

    private static List<String> eventIds(List<ProducerRecord<byte[], byte[]>> records) {
        return records.stream()
                .map(r -> new String(
                        r.headers()
                                .lastHeader(dev.shopflow.events.EventHeaders.EVENT_ID)
                                .value(),
                        StandardCharsets.UTF_8))
                .toList();
    }

    private CompletableFuture<Void> handleAsync(List<RecordChangeEvent<SourceRecord>> batch) {
        return CompletableFuture.runAsync(() -> {
            try {
                sink.handleBatch(batch, committer);
            } catch (InterruptedException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    private static List<String> keys(List<ProducerRecord<byte[], byte[]>> records) {
        return records.stream()
                .map(r -> new String(r.key(), StandardCharsets.UTF_8))
                .toList();
    }

    private static RelayMetrics metrics() {
        RelayProperties properties = new RelayProperties(
                true,
                "test_slot",
                Duration.ofMillis(10),
                10,
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                Duration.ofMillis(10),
                Duration.ofMillis(40),
                Duration.ofHours(1),
                true,
                Map.of());
        RelayLeadership leadership = new RelayLeadership(properties, null);
        return new RelayMetrics(new SimpleMeterRegistry(), leadership, null);
    }

    private static final class Committer implements DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> {

        final List<RecordChangeEvent<SourceRecord>> processed = new ArrayList<>();
        int batchesFinished;

        @Override
        public synchronized void markProcessed(RecordChangeEvent<SourceRecord> record) {
            processed.add(record);
        }

        @Override
        public synchronized void markBatchFinished() {
            batchesFinished++;
        }

        @Override
        public void markProcessed(RecordChangeEvent<SourceRecord> record, DebeziumEngine.Offsets offsets) {
            markProcessed(record);
        }

        @Override
        public DebeziumEngine.Offsets buildOffsets() {
            throw new UnsupportedOperationException();
        }
    }
}
