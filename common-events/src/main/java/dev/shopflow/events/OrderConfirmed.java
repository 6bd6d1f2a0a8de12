package dev.shopflow.events;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Stock was reserved for every line: the order will be fulfilled. Carries what a confirmation mail shows. */
public record OrderConfirmed(
        UUID eventId, UUID orderId, Instant occurredAt, String customerEmail, List<OrderLine> lines, BigDecimal total)
        implements OrderEvent {

    public OrderConfirmed {
        Require.present(eventId, orderId, occurredAt, total);
        Require.text(customerEmail, "customerEmail");
        lines = Require.nonEmpty(lines, "lines");
    }
}
