package dev.shopflow.relay;

import dev.shopflow.events.EventHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.jspecify.annotations.Nullable;

/**
 * One outbox row as captured by Debezium, and the Kafka record it becomes: topic = {@code aggregatetype}, key =
 * {@code aggregateid}, value = the JSON payload as is, headers = event id, type, schema version, traceparent.
 *
 * <p>This does what Debezium's outbox EventRouter does, on the raw change event, because the relay also needs the
 * source block (commit time and LSN) that the router drops, and writes the payload bytes itself, so the value is
 * the JSON document and never a JSON-escaped string.
 *
 * @param committedAt when the transaction that wrote the row committed (source {@code ts_ms})
 */
record OutboxRecord(ProducerRecord<byte[], byte[]> kafkaRecord, Instant committedAt) {

    /** The captured row, or empty for anything that is not a new outbox row (heartbeats, other tables). */
    static Optional<OutboxRecord> from(SourceRecord change) {
        if (!(change.value() instanceof Struct envelope) || envelope.schema().field("after") == null) {
            return Optional.empty();
        }
        String op = envelope.getString("op");
        Struct row = envelope.getStruct("after");
        if (row == null || !("c".equals(op) || "r".equals(op)) || row.schema().field("aggregatetype") == null) {
            return Optional.empty();
        }
        RecordHeaders headers = new RecordHeaders();
        header(headers, EventHeaders.EVENT_ID, row.get("id").toString());
        header(headers, EventHeaders.EVENT_TYPE, row.getString("type"));
        header(headers, EventHeaders.SCHEMA_VERSION, row.get("schema_version").toString());
        header(headers, EventHeaders.TRACEPARENT, row.getString("traceparent"));
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                row.getString("aggregatetype"),
                null,
                bytes(row.getString("aggregateid")),
                bytes(row.getString("payload")),
                headers);
        Instant committedAt = Objects.requireNonNull(committedAt(change), "a change event without source ts_ms");
        return Optional.of(new OutboxRecord(record, committedAt));
    }

    /**
     * When the transaction of any captured change committed (source {@code ts_ms}; for a snapshot read, when it
     * was read), or null for a record without a source block.
     */
    static @Nullable Instant committedAt(SourceRecord change) {
        if (!(change.value() instanceof Struct envelope)
                || envelope.schema().field("source") == null
                || envelope.getStruct("source") == null) {
            return null;
        }
        Long millis = envelope.getStruct("source").getInt64("ts_ms");
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }

    /**
     * Whether a change was streamed from the replication slot, as opposed to read by a snapshot (a re-read of the
     * outbox table). A snapshot read carries the time it was read, not the time its row was committed, so it says
     * nothing about which commits have been relayed.
     */
    static boolean isStreamed(SourceRecord change) {
        if (!(change.value() instanceof Struct envelope)) {
            return false;
        }
        if (envelope.schema().field("op") != null && "r".equals(envelope.getString("op"))) {
            return false;
        }
        Struct source = envelope.schema().field("source") == null ? null : envelope.getStruct("source");
        if (source == null || source.schema().field("snapshot") == null) {
            return source != null;
        }
        Object snapshot = source.get("snapshot");
        return snapshot == null || "false".equals(snapshot.toString());
    }

    String eventId() {
        return new String(
                kafkaRecord.headers().lastHeader(EventHeaders.EVENT_ID).value(), StandardCharsets.UTF_8);
    }

    private static void header(RecordHeaders headers, String name, @Nullable String value) {
        if (value != null) {
            headers.add(name, bytes(value));
        }
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
