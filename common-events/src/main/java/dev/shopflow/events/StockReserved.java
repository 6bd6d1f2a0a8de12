package dev.shopflow.events;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Stock was reserved for every line of the order, all at once. */
public record StockReserved(UUID eventId, UUID orderId, Instant occurredAt, List<ReservedLine> lines)
        implements StockEvent {

    public StockReserved {
        Require.present(eventId, orderId, occurredAt);
        lines = Require.nonEmpty(lines, "lines");
    }

    public record ReservedLine(String productId, int quantity) {

        public ReservedLine {
            Require.text(productId, "productId");
            Require.positive(quantity, "quantity");
        }
    }
}
