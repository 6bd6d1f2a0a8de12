package dev.shopflow.relay;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.micrometer.tracing.Span;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Receives Debezium's batches and sends the outbox records to Kafka, in commit order ({@link BatchSender}). A batch
 * is marked processed (and so its offset may be committed) only after Kafka acknowledged every record in it, or
 * refused it for good ({@link RefusedRecords}: parked, and the rest flows on).
 *
 * <p>It never throws to the engine, which would stop (the leader would then start a new engine from the stored
 * offset).
 */
final class KafkaSink implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    /** Where events Kafka refused for good are kept. */
    interface Parking {
        void park(OutboxRecord record, Exception error);
    }

    private final RelayProducer producer;
    private final RelayMetrics metrics;
    private final RelayTracing tracing;
    private final BatchSender sender;

    KafkaSink(
            RelayProducer producer,
            RelayMetrics metrics,
            Parking parking,
            RelayTracing tracing,
            Duration initialBackoff,
            Duration maxBackoff) {
        this.producer = producer;
        this.metrics = metrics;
        this.tracing = tracing;
        this.sender =
                new BatchSender(producer, metrics, new RefusedRecords(parking, metrics), initialBackoff, maxBackoff);
    }

    @Override
    public void handleBatch(
            List<RecordChangeEvent<SourceRecord>> batch,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<OutboxRecord> records = new ArrayList<>(batch.size());
        Instant committedUntil = null;
        for (RecordChangeEvent<SourceRecord> change : batch) {
            OutboxRecord.from(change.record()).ifPresent(records::add);
            // only streamed changes say up to which commit everything was relayed; a snapshot read carries the
            // time it was read, and the rows the snapshot has not reached yet were committed before it
            Instant committed =
                    OutboxRecord.isStreamed(change.record()) ? OutboxRecord.committedAt(change.record()) : null;
            if (committed != null && (committedUntil == null || committed.isAfter(committedUntil))) {
                committedUntil = committed;
            }
        }
        metrics.sendingSince(Instant.now());
        List<Span> spans = tracing.start(records);
        Throwable error = null;
        try {
            sender.sendUntilAcknowledged(records);
        } catch (InterruptedException | RuntimeException e) {
            error = e;
            throw e;
        } finally {
            metrics.sendingSince(null);
            RelayTracing.end(spans, error);
        }
        for (RecordChangeEvent<SourceRecord> change : batch) {
            committer.markProcessed(change);
        }
        committer.markBatchFinished();
        metrics.batchProcessed(committedUntil);
    }

    /**
     * Asks a running {@link #handleBatch} to give up without marking anything processed; see {@link
     * BatchSender#stop}.
     */
    void stop() {
        sender.stop();
    }

    /** Closes the producer, waiting a little for what it still sends. */
    void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
