package dev.shopflow.events;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Nothing was reserved for the order; {@code shortLines} names every line that could not be served. */
public record StockRejected(UUID eventId, UUID orderId, Instant occurredAt, String reason, List<ShortLine> shortLines)
        implements StockEvent {

    public StockRejected {
        Require.present(eventId, orderId, occurredAt);
        Require.text(reason, "reason");
        shortLines = Require.nonEmpty(shortLines, "shortLines");
    }

    /** A line that could not be served: {@code available} is what was in stock (0 for an unknown product). */
    public record ShortLine(String productId, int requested, int available) {

        public ShortLine {
            Require.text(productId, "productId");
            Require.positive(requested, "requested");
        }
    }
}
