package dev.shopflow.outbox;

import dev.shopflow.events.DomainEvent;
import dev.shopflow.events.EventJson;
import dev.shopflow.events.EventType;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Appends events to the outbox. The only way services publish events: never send to Kafka directly.
 *
 * <p>{@link #append} must run inside the transaction that makes the change the event announces; it refuses to
 * run outside one, because an event committed on its own is exactly the dual write the outbox exists to avoid.
 *
 * <p>Each row stores the W3C trace context the event continues ({@link EventTraceContext}), so the relay's send
 * and the consumers join the trace of the request or event that caused it.
 *
 * <p>It refuses an event larger than Kafka takes by default ({@value #MAX_EVENT_BYTES} bytes of JSON): thrown in
 * the transaction, the change it announces rolls back with it, instead of the relay parking an event no consumer
 * will see.
 */
public class OutboxWriter {

    /** Below the producer's {@code max.request.size} and a topic's {@code max.message.bytes} defaults (1 MiB). */
    static final int MAX_EVENT_BYTES = 1_000_000;

    private static final String INSERT = """
            insert into outbox (id, aggregatetype, aggregateid, type, schema_version, payload, timestamp, traceparent)
            values (:id, :aggregateType, :aggregateId, :type, :schemaVersion, cast(:payload as jsonb), :timestamp,
                    :traceparent)
            """;

    private final NamedParameterJdbcTemplate jdbc;
    private final EventJson json;
    private final List<EventTraceContext> traces;

    OutboxWriter(NamedParameterJdbcTemplate jdbc, EventJson json, List<EventTraceContext> traces) {
        this.jdbc = jdbc;
        this.json = json;
        this.traces = List.copyOf(traces);
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void append(DomainEvent event) {
        jdbc.update(INSERT, row(event));
    }

    /**
     * Appends several events in one round trip (a JDBC batch), in list order: what a consumer that handles a poll
     * batch in one transaction writes.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void appendAll(List<? extends DomainEvent> events) {
        if (!events.isEmpty()) {
            jdbc.batchUpdate(INSERT, events.stream().map(this::row).toArray(SqlParameterSource[]::new));
        }
    }

    private SqlParameterSource row(DomainEvent event) {
        EventType type = EventType.of(event);
        String payload = json.write(event);
        // a char is at most 3 bytes of UTF-8 (a surrogate pair 4 for 2), so only a long payload needs encoding
        if (payload.length() > MAX_EVENT_BYTES / 3) {
            int bytes = payload.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_EVENT_BYTES) {
                throw new IllegalArgumentException("%s %s is %,d bytes of JSON; Kafka takes at most %,d by default"
                        .formatted(type.typeName(), event.eventId(), bytes, MAX_EVENT_BYTES));
            }
        }
        return new MapSqlParameterSource()
                .addValue("id", event.eventId())
                .addValue("aggregateType", type.topic())
                .addValue("aggregateId", event.orderId().toString())
                .addValue("type", type.typeName())
                .addValue("schemaVersion", type.schemaVersion())
                .addValue("payload", payload)
                .addValue("timestamp", Timestamp.from(event.occurredAt()))
                .addValue("traceparent", traceparentOf(event));
    }

    private @Nullable String traceparentOf(DomainEvent event) {
        for (EventTraceContext trace : traces) {
            Optional<String> traceparent = trace.traceparentOf(event);
            if (traceparent.isPresent()) {
                return traceparent.get();
            }
        }
        return null;
    }
}
