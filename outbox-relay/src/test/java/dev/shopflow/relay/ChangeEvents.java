package dev.shopflow.relay;

import io.debezium.engine.RecordChangeEvent;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/** Change events shaped like the ones Debezium's PostgreSQL connector emits for the outbox tables. */
final class ChangeEvents {

    static final Instant COMMITTED = Instant.parse("2026-11-23T10:15:30.123Z");

    private static final Schema ROW = SchemaBuilder.struct()
            .field("id", Schema.STRING_SCHEMA)
            .field("aggregatetype", Schema.STRING_SCHEMA)
            .field("aggregateid", Schema.STRING_SCHEMA)
            .field("type", Schema.STRING_SCHEMA)
            .field("schema_version", Schema.INT32_SCHEMA)
            .field("payload", Schema.STRING_SCHEMA)
            .field("timestamp", Schema.STRING_SCHEMA)
            .field("traceparent", Schema.OPTIONAL_STRING_SCHEMA)
            .optional()
            .build();
    private static final Schema HEARTBEAT_ROW = SchemaBuilder.struct()
            .field("id", Schema.INT64_SCHEMA)
            .field("beat_at", Schema.STRING_SCHEMA)
            .optional()
            .build();
    private static final Schema SOURCE = SchemaBuilder.struct()
            .field("ts_ms", Schema.INT64_SCHEMA)
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
            .field("snapshot", Schema.OPTIONAL_STRING_SCHEMA)
            .build();

    private ChangeEvents() {}

    static RecordChangeEvent<SourceRecord> outboxInsert(String eventId, String orderId, String traceparent) {
        Struct row = new Struct(ROW)
                .put("id", eventId)
                .put("aggregatetype", "orders")
                .put("aggregateid", orderId)
                .put("type", "OrderPlaced")
                .put("schema_version", 1)
                .put("payload", "{\"orderId\": \"" + orderId + "\"}")
                .put("timestamp", COMMITTED.toString())
                .put("traceparent", traceparent);
        return change(ROW, row, "c", "shop.public.outbox");
    }

    /**
     * An outbox row read by a snapshot (a re-read of the table): op {@code r}, and the source's {@code ts_ms} is
     * when it was read.
     */
    static RecordChangeEvent<SourceRecord> snapshotRead(String orderId, Instant readAt, String snapshot) {
        Struct row = new Struct(ROW)
                .put("id", UUID.randomUUID().toString())
                .put("aggregatetype", "orders")
                .put("aggregateid", orderId)
                .put("type", "OrderPlaced")
                .put("schema_version", 1)
                .put("payload", "{\"orderId\": \"" + orderId + "\"}")
                .put("timestamp", COMMITTED.toString())
                .put("traceparent", null);
        return change(ROW, row, "r", "shop.public.outbox", readAt, snapshot);
    }

    static RecordChangeEvent<SourceRecord> outboxInsert(String orderId) {
        return outboxInsert(UUID.randomUUID().toString(), orderId, null);
    }

    static RecordChangeEvent<SourceRecord> heartbeatInsert() {
        return change(
                HEARTBEAT_ROW,
                new Struct(HEARTBEAT_ROW).put("id", 1L).put("beat_at", "now"),
                "c",
                "shop.public.outbox_heartbeat");
    }

    static RecordChangeEvent<SourceRecord> debeziumHeartbeat() {
        Schema schema =
                SchemaBuilder.struct().field("ts_ms", Schema.INT64_SCHEMA).build();
        SourceRecord record = new SourceRecord(
                Map.of(), Map.of(), "__debezium-heartbeat.shop", schema, new Struct(schema).put("ts_ms", 1L));
        return () -> record;
    }

    private static RecordChangeEvent<SourceRecord> change(Schema rowSchema, Struct row, String op, String topic) {
        return change(rowSchema, row, op, topic, COMMITTED, "false");
    }

    private static RecordChangeEvent<SourceRecord> change(
            Schema rowSchema, Struct row, String op, String topic, Instant at, String snapshot) {
        Schema envelope = SchemaBuilder.struct()
                .field("before", rowSchema)
                .field("after", rowSchema)
                .field("source", SOURCE)
                .field("op", Schema.STRING_SCHEMA)
                .build();
        Struct value = new Struct(envelope)
                .put("after", row)
                .put(
                        "source",
                        new Struct(SOURCE)
                                .put("ts_ms", at.toEpochMilli())
                                .put("lsn", 42L)
                                .put("snapshot", snapshot))
                .put("op", op);
        SourceRecord record = new SourceRecord(Map.of(), Map.of(), topic, envelope, value);
        return () -> record;
    }
}
