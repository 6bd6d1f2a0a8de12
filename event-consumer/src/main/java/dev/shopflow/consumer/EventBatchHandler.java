package dev.shopflow.consumer;

import dev.shopflow.events.DomainEvent;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a consumer does with a poll batch of decoded events, in record order, inside one database transaction
 * (see {@link EventBatches}).
 */
@FunctionalInterface
public interface EventBatchHandler {

    /**
     * Handles the events. Throwing rolls back the whole transaction. Returning a failure commits what was done
     * and fails the event it names: the events before it are done, it and the events after it are delivered
     * again (a consumer whose effect cannot be rolled back, such as a mail sent, reports its failures this way).
     *
     * @return empty when every event was handled
     */
    Optional<Failure> handle(List<Received> events);

    /**
     * A decoded event, the record it came from, and its span ({@link EventTrace}).
     *
     * <p>A handler that logs about one event of the batch does it in {@link #logScope()}, so the line carries the
     * event's trace, order and event ids.
     */
    record Received(DomainEvent event, ConsumerRecord<String, String> record, EventTrace trace) {

        public Received(DomainEvent event, ConsumerRecord<String, String> record) {
            this(event, record, EventTrace.NONE);
        }

        /** This event's span current and its ids in the logging context, until closed. */
        public EventTrace.LogScope logScope() {
            return trace.logScope(event);
        }
    }

    /**
     * @param index the position, in the list given to {@link #handle}, of the event that failed
     * @param cause why; classified by the error handler as transient, permanent or other
     */
    record Failure(int index, RuntimeException cause) {}
}
