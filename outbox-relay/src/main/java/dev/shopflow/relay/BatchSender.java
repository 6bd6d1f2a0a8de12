package dev.shopflow.relay;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Sends a batch's outbox records to Kafka, in order, and returns once Kafka acknowledged every one of them or
 * refused it for good ({@link RefusedRecords}).
 *
 * <p>Per-key order rests on the idempotent producer, which keeps a partition's batches in order through its own
 * retries, and on two rules here. The producer never gives up on a batch by itself ({@code delivery.timeout.ms} is
 * unbounded, see {@link RelayProducer#factory}): a batch it expired while a later one of the same
 * partition was still to come would make it start a new sequence, and the later batch could land before the
 * failed one is sent again. And when a send does fail (an error no retry of the producer's cures), the producer is
 * closed at once, dropping what it still holds, and a new one re-sends the records Kafka has not acknowledged, in
 * their order, with exponential backoff, until Kafka takes them or the relay stops. Records acknowledged meanwhile
 * are not sent again.
 */
final class BatchSender {

    private static final Logger log = LoggerFactory.getLogger(BatchSender.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final RelayProducer producer;
    private final RelayMetrics metrics;
    private final RefusedRecords refused;
    private final BackOff resendBackOff;
    private volatile boolean stopping;
    private volatile long stopDeadline;

    BatchSender(
            RelayProducer producer,
            RelayMetrics metrics,
            RefusedRecords refused,
            Duration initialBackoff,
            Duration maxBackoff) {
        this.producer = producer;
        this.metrics = metrics;
        this.refused = refused;
        ExponentialBackOff resendBackOff = new ExponentialBackOff(initialBackoff.toMillis(), 2.0);
        resendBackOff.setMaxInterval(maxBackoff.toMillis());
        this.resendBackOff = resendBackOff;
    }

    /**
     * Asks a running {@link #sendUntilAcknowledged} to give up. Acknowledgements already on their way are still
     * waited for, up to {@link #STOP_GRACE}; then the producer is closed at once and what it had not sent is dropped
     * (the next leader sends it again from the stored offset).
     */
    void stop() {
        stopDeadline = System.nanoTime() + STOP_GRACE.toNanos();
        stopping = true;
    }

    void sendUntilAcknowledged(List<OutboxRecord> records) throws InterruptedException {
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
                if (!RefusedRecords.isPermanent(e)) {
                    // the producer cannot take records now (no metadata, buffer full): stop here, keep the order
                    failure = e;
                    failedAt = i;
                } else if (refused.park(records.get(i), e)) {
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
                if (RefusedRecords.isPermanent(cause) && refused.park(record, cause)) {
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
}
