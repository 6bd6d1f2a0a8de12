package dev.shopflow.consumer;

import dev.shopflow.events.DomainEvent;
import dev.shopflow.outbox.EventTraceContext;
import java.util.Optional;

/** Tells the outbox writer which handled event an event written by a batch handler continues. */
final class HandledEventTraces implements EventTraceContext {

    @Override
    public Optional<String> traceparentOf(DomainEvent event) {
        return HandledEvents.traceparentOf(event.orderId());
    }
}
