package dev.shopflow.consumer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The events a batch handler is handling on this thread, by order: an event the handler writes about an order
 * continues the trace of the handled event of that order (the last one, when a batch holds several).
 */
final class HandledEvents {

    private static final ThreadLocal<Map<UUID, String>> TRACES = new ThreadLocal<>();

    private HandledEvents() {}

    static <T> T during(List<EventBatchHandler.Received> batch, Supplier<T> handling) {
        Map<UUID, String> traces = new HashMap<>();
        for (EventBatchHandler.Received received : batch) {
            received.trace()
                    .traceparent()
                    .ifPresent(t -> traces.put(received.event().orderId(), t));
        }
        Map<UUID, String> outer = TRACES.get();
        TRACES.set(traces);
        try {
            return handling.get();
        } finally {
            if (outer == null) {
                TRACES.remove();
            } else {
                TRACES.set(outer);
            }
        }
    }

    static Optional<String> traceparentOf(UUID orderId) {
        Map<UUID, String> traces = TRACES.get();
        return traces == null ? Optional.empty() : Optional.ofNullable(traces.get(orderId));
    }
}
