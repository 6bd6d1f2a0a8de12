package dev.shopflow.events;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A customer placed an order; stock is not reserved yet. */
public record OrderPlaced(
        UUID eventId,
        UUID orderId,
        Instant occurredAt,
        String customerId,
        String customerEmail,
        List<OrderLine> lines,
        BigDecimal total)
        implements OrderEvent {

    public OrderPlaced {
        Require.present(eventId, orderId, occurredAt, total);
        Require.text(customerId, "customerId");
        Require.text(customerEmail, "customerEmail");
        lines = Require.nonEmpty(lines, "lines");
    }
}
