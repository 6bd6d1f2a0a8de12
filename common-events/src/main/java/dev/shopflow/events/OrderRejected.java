package dev.shopflow.events;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The order cannot be fulfilled; {@code reason} is fit to show the customer. */
public record OrderRejected(
        UUID eventId,
        UUID orderId,
        Instant occurredAt,
        String customerEmail,
        List<OrderLine> lines,
        BigDecimal total,
        String reason)
        implements OrderEvent {

    public OrderRejected {
        Require.present(eventId, orderId, occurredAt, total);
        Require.text(customerEmail, "customerEmail");
        Require.text(reason, "reason");
        lines = Require.nonEmpty(lines, "lines");
    }
}
