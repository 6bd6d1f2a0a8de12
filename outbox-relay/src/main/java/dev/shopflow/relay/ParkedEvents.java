package dev.shopflow.relay;

import dev.shopflow.events.EventHeaders;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Events Kafka refused for good, kept in {@code outbox_parked} until a person re-drives them with {@code select
 * outbox_redrive_parked()} (one: {@code outbox_redrive_parked('<event id>')}).
 */
final class ParkedEvents implements KafkaSink.Parking {

    private final JdbcClient jdbc;

    ParkedEvents(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void park(OutboxRecord record, Exception error) {
        ProducerRecord<byte[], byte[]> kafka = record.kafkaRecord();
        jdbc.sql("""
                        insert into outbox_parked
                            (id, aggregatetype, aggregateid, type, schema_version, payload, traceparent, error)
                        values (:id, :topic, :key, :type, :version, cast(:payload as jsonb), :traceparent, :error)
                        on conflict (id) do update set error = excluded.error, parked_at = now()""")
                .param("id", UUID.fromString(record.eventId()))
                .param("topic", kafka.topic())
                .param("key", new String(kafka.key(), StandardCharsets.UTF_8))
                .param("type", header(kafka, EventHeaders.EVENT_TYPE))
                .param("version", Integer.parseInt(header(kafka, EventHeaders.SCHEMA_VERSION)))
                .param("payload", new String(kafka.value(), StandardCharsets.UTF_8))
                .param("traceparent", header(kafka, EventHeaders.TRACEPARENT))
                .param("error", error.toString())
                .update();
    }

    /** Parked events waiting for a person; NaN when the database does not answer. */
    double count() {
        try {
            return jdbc.sql("select count(*) from outbox_parked")
                    .query(Long.class)
                    .single();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    private static @Nullable String header(ProducerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
