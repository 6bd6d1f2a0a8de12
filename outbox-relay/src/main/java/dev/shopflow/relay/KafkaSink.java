package dev.shopflow.relay;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.micrometer.tracing.Span;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Receives Debezium's batches and sends the outbox records to Kafka, in commit order. A batch is marked processed
 * (and so its offset may be committed) only after Kafka acknowledged every record in it, or refused it for good.
 *
 * <p>Per-key order rests on the idempotent producer, which keeps a partition's batches in order through its own
 * retries, and on two rules here. The producer never gives up on a batch by itself ({@code delivery.timeout.ms} is
 * unbounded, see {@link RelayProducer#factory}): a batch it expired while a later one of the same
 * partition was still to come would make it start a new sequence, and the later batch could land before the
 * failed one is sent again. And when a send does fail (an error no retry of the producer's cures), the producer is
 * closed at once, dropping what it still holds, and a new one re-sends the records Kafka has not acknowledged, in
 * their order, with exponential backoff, until Kafka takes them or the relay stops. Records acknowledged meanwhile
 * are not sent again.
 *
 * <p>A record Kafka will never accept ({@link #isPermanent}: too large for the topic, an invalid topic name, a
 * record the broker rejects) is parked ({@link Parking}, an ERROR in the log, {@code
 * shopflow.outbox.relay.parked}) and the rest flows on; a person re-drives it once the cause is fixed. Events of
 * the same key after it are not held back.
 *
 * <p>It never throws to the engine, which would stop (the leader would then start a new engine from the stored
 * offset).
 */
final class KafkaSink implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    /** Where events Kafka refused for good are kept. */
    interface Parking {
        void park(OutboxRecord record, Exception error);
    }

    private static final Logger log = LoggerFactory.getLogger(KafkaSink.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final RelayProducer producer;
    private final RelayMetrics metrics;
    private final Parking parking;
    private final RelayTracing tracing;
    private final BackOff resendBackOff;
    private volatile boolean stopping;
    private volatile long stopDeadline;

    KafkaSink(
            RelayProducer producer,
            RelayMetrics metrics,
            Parking parking,
            RelayTracing tracing,
            Duration initialBackoff,
            Duration maxBackoff) {
        this.producer = producer;
        this.metrics = metrics;
        this.parking = parking;
        this.tracing = tracing;
        ExponentialBackOff resendBackOff = new ExponentialBackOff(initialBackoff.toMillis(), 2.0);
        resendBackOff.setMaxInterval(maxBackoff.toMillis());
        this.resendBackOff = resendBackOff;
    }

    /**
     * Errors that no retry can cure for this record. Authorization errors are not among them: they concern every
     * record of a topic or of the cluster and are fixed by an operator, so the relay waits (health DOWN) rather
     * than parking everything.
     */
    static boolean isPermanent(Throwable error) {
        return error instanceof RecordTooLargeException
                || error instanceof RecordBatchTooLargeException
                || error instanceof InvalidTopicException
                || error instanceof InvalidRecordException
                || error instanceof SerializationException;
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
            sendUntilAcknowledged(records);
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
     * Asks a running {@link #handleBatch} to give up without marking anything processed. Acknowledgements already
     * on their way are still waited for, up to {@link #STOP_GRACE}; then the producer is closed at once and what
     * it had not sent is dropped (the next leader sends it again from the stored offset).
     */
    void stop() {
        stopDeadline = System.nanoTime() + STOP_GRACE.toNanos();
        stopping = true;
    }

    /** Closes the producer, waiting a little for what it still sends. */
    void close() {
        producer.close(Duration.ofSeconds(5));
    }

    private void sendUntilAcknowledged(List<OutboxRecord> records) throws InterruptedException {
        boolean[] done = new boolean[records.size()];
        BackOffExecution backoff = resendBackOff.start();
        while (true) {
            if (stopping) {
                throw new InterruptedException("relay stopping; batch left unprocessed for the next leader");
            }
            if (sendPending(records, done)) {
                metrics.sendRecovered();
                return;
            }
            Thread.sleep(backoff.nextBackOff());
        }
    }

    /**
     * Sends the records not done yet, in order, and waits for Kafka's answers; marks acknowledged and parked ones
     * done. Returns whether all are done.
     */
    private boolean sendPending(List<OutboxRecord> records, boolean[] done) throws InterruptedException {
        Map<Integer, Future<RecordMetadata>> acks = new LinkedHashMap<>();
        Exception failure = null;
        int failedAt = -1;
        for (int i = 0; i < records.size() && failure == null; i++) {
            if (done[i]) {
                continue;
            }
            try {
                acks.put(i, producer.get().send(records.get(i).kafkaRecord()));
            } catch (RuntimeException e) {
                if (!isPermanent(e)) {
                    // the producer cannot take records now (no metadata, buffer full): stop here, keep the order
                    failure = e;
                    failedAt = i;
                } else if (park(records.get(i), e)) {
                    done[i] = true;
                }
            }
        }
        for (Map.Entry<Integer, Future<RecordMetadata>> ack : acks.entrySet()) {
            int i = ack.getKey();
            OutboxRecord record = records.get(i);
            try {
                awaitAcknowledgement(ack.getValue());
                done[i] = true;
                metrics.relayed(record.kafkaRecord().topic(), Duration.between(record.committedAt(), Instant.now()));
            } catch (ExecutionException e) {
                Exception cause = e.getCause() instanceof Exception c ? c : e;
                if (isPermanent(cause) && park(record, cause)) {
                    done[i] = true;
                } else if (failedAt < 0 || i < failedAt) {
                    failure = cause;
                    failedAt = i;
                }
            }
        }
        int left = 0;
        for (boolean d : done) {
            left += d ? 0 : 1;
        }
        if (left == 0) {
            return true;
        }
        if (failure == null) {
            return false; // parking failed; logged there
        }
        metrics.sendFailed(failure);
        // nothing the failed producer still holds may land after what is sent again: drop it, start afresh
        producer.close(Duration.ZERO);
        log.warn(
                "Kafka did not acknowledge outbox event {} ({} of the batch still to send); retrying on a new"
                        + " producer: {}",
                records.get(failedAt).eventId(),
                left,
                String.valueOf(failure));
        return false;
    }

    /**
     * Waits for Kafka's answer. The producer retries by itself without a deadline, so this waits as long as Kafka
     * is away, unless the relay stops: then, after {@link #STOP_GRACE}, the producer is closed and the send fails.
     */
    private void awaitAcknowledgement(Future<RecordMetadata> ack) throws ExecutionException, InterruptedException {
        while (true) {
            try {
                ack.get(100, TimeUnit.MILLISECONDS);
                return;
            } catch (java.util.concurrent.TimeoutException notYet) {
                if (stopping && System.nanoTime() - stopDeadline > 0) {
                    producer.close(Duration.ZERO);
                }
            }
        }
    }

    /** Parks a record Kafka refused for good; false (and it stays to send) when the database did not take it. */
    private boolean park(OutboxRecord record, Exception error) {
        try {
            parking.park(record, error);
        } catch (RuntimeException e) {
            log.error("Could not park outbox event {} that Kafka refused ({}); retrying", record.eventId(), error, e);
            metrics.sendFailed(error);
            return false;
        }
        metrics.parked(record.kafkaRecord().topic());
        log.error(
                "Kafka refused outbox event {} for good; parked it in outbox_parked (re-drive: select"
                        + " outbox_redrive_parked('{}')), the rest goes on: {}",
                record.eventId(),
                record.eventId(),
                String.valueOf(error));
        return true;
    }
}
