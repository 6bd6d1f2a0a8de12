package dev.shopflow.outbox;

import dev.shopflow.events.DomainEvent;
import dev.shopflow.events.EventJson;
import dev.shopflow.events.EventType;
import java.sql.Timestamp;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Appends events to the outbox. The only way services publish events: never send to Kafka directly.
 *
 * <p>{@link #append} must run inside the transaction that makes the change the event announces; it refuses to
 * run outside one, because an event committed on its own is exactly the dual write the outbox exists to avoid.
 */
public class OutboxWriter {

    private final JdbcClient jdbc;
    private final EventJson json;

    OutboxWriter(JdbcClient jdbc, EventJson json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void append(DomainEvent event) {
        EventType type = EventType.of(event);
        jdbc.sql("""
                        insert into outbox (id, aggregatetype, aggregateid, type, schema_version, payload, timestamp, traceparent)
                        values (:id, :aggregateType, :aggregateId, :type, :schemaVersion, cast(:payload as jsonb), :timestamp,
                                :traceparent)
                        """)
                .param("id", event.eventId())
                .param("aggregateType", type.topic())
                .param("aggregateId", event.orderId().toString())
                .param("type", type.typeName())
                .param("schemaVersion", type.schemaVersion())
                .param("payload", json.write(event))
                .param("timestamp", Timestamp.from(event.occurredAt()))
                .param("traceparent", TraceContext.current().orElse(null))
                .update();
    }
}
