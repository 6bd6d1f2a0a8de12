package dev.shopflow.outbox;

import dev.shopflow.events.DomainEvent;
import java.util.Optional;

/**
 * Which trace an event written to the outbox continues, as a W3C {@code traceparent}: stored with the row, put on
 * the Kafka record by the relay, continued by the consumers.
 *
 * <p>The writer asks each bean of this type in order ({@link org.springframework.core.annotation.Order}) and takes
 * the first answer; the last one asked is the span current on the writing thread (for a request, its server
 * span). A consumer that writes events while it handles a batch of them registers one that answers with the span
 * of the handled event of the same order.
 */
@FunctionalInterface
public interface EventTraceContext {

    /** @return the traceparent the event belongs to, or empty to let the next one answer */
    Optional<String> traceparentOf(DomainEvent event);
}
