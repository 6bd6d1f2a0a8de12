package dev.shopflow.relay;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kafka will never accept ({@link #isPermanent}: too large for the topic, an invalid topic name, a record
 * the broker rejects): each is parked ({@link KafkaSink.Parking}, an ERROR in the log, {@code
 * shopflow.outbox.relay.parked}) and the rest flows on; a person re-drives it once the cause is fixed. Events of
 * the same key after it are not held back.
 */
final class RefusedRecords {

    private static final Logger log = LoggerFactory.getLogger(RefusedRecords.class);

    private final KafkaSink.Parking parking;
    private final RelayMetrics metrics;

    RefusedRecords(KafkaSink.Parking parking, RelayMetrics metrics) {
        this.parking = parking;
        this.metrics = metrics;
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

    /** Parks a record Kafka refused for good; false (and it stays to send) when the database did not take it. */
    boolean park(OutboxRecord record, Exception error) {
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
