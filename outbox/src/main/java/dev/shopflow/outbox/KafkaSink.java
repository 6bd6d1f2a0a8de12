package dev.shopflow.outbox;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives Debezium's batches and sends the outbox records to Kafka, in commit order. A batch is marked processed
 * (and so its offset may be committed) only after Kafka acknowledged every record in it.
 *
 * <p>A failed send is never skipped: the sink re-sends from the first unacknowledged record, with exponential
 * backoff, until Kafka takes it or the relay stops. It never throws to the engine, which would stop (the leader
 * would then start a new engine from the stored offset). Re-sending can duplicate records that were acknowledged after the failed one;
 * consumers deduplicate on the event id.
 */
final class KafkaSink implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    private static final Logger log = LoggerFactory.getLogger(KafkaSink.class);

    private final Producer<byte[], byte[]> producer;
    private final RelayMetrics metrics;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private volatile boolean stopping;

    KafkaSink(Producer<byte[], byte[]> producer, RelayMetrics metrics, Duration initialBackoff, Duration maxBackoff) {
        this.producer = producer;
        this.metrics = metrics;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
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
            Instant committed = OutboxRecord.committedAt(change.record());
            if (committed != null && (committedUntil == null || committed.isAfter(committedUntil))) {
                committedUntil = committed;
            }
        }
        sendUntilAcknowledged(records);
        for (RecordChangeEvent<SourceRecord> change : batch) {
            committer.markProcessed(change);
        }
        committer.markBatchFinished();
        metrics.batchProcessed(committedUntil);
    }

    /** Asks a running {@link #handleBatch} to give up without marking anything processed. */
    void stop() {
        stopping = true;
    }

    private void sendUntilAcknowledged(List<OutboxRecord> records) throws InterruptedException {
        int from = 0;
        Duration backoff = initialBackoff;
        while (from < records.size()) {
            if (stopping) {
                throw new InterruptedException("relay stopping; batch left unprocessed for the next leader");
            }
            int failedAt = sendFrom(records, from);
            if (failedAt < 0) {
                metrics.sendRecovered();
                return;
            }
            from = failedAt;
            Thread.sleep(backoff.toMillis());
            backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
        }
    }

    /** Sends records[from..] and waits for all acknowledgements; returns the first failed index, or -1. */
    private int sendFrom(List<OutboxRecord> records, int from) throws InterruptedException {
        List<Future<RecordMetadata>> acks = new ArrayList<>(records.size() - from);
        int failedAt = -1;
        Exception failure = null;
        for (int i = from; i < records.size() && failedAt < 0; i++) {
            try {
                acks.add(producer.send(records.get(i).kafkaRecord()));
            } catch (RuntimeException e) {
                failedAt = i;
                failure = e;
            }
        }
        for (int i = 0; i < acks.size(); i++) {
            try {
                acks.get(i).get();
                OutboxRecord record = records.get(from + i);
                if (failedAt < 0 || from + i < failedAt) {
                    metrics.relayed(
                            record.kafkaRecord().topic(), Duration.between(record.committedAt(), Instant.now()));
                }
            } catch (ExecutionException e) {
                if (failedAt < 0 || from + i < failedAt) {
                    failedAt = from + i;
                    failure = e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        }
        if (failedAt >= 0) {
            metrics.sendFailed(failure);
            log.warn(
                    "Kafka did not acknowledge outbox event {} ({} of the batch still to send); retrying: {}",
                    records.get(failedAt).eventId(),
                    records.size() - failedAt,
                    String.valueOf(failure));
        }
        return failedAt;
    }
}
