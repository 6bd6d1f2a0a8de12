package dev.shopflow.order;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** An order as the API shows it. */
record OrderResponse(
        UUID id,
        OrderStatus status,
        String customerId,
        String customerEmail,
        List<LineResponse> lines,
        BigDecimal total,
        Instant createdAt) {

    record LineResponse(String productId, int quantity, BigDecimal unitPrice, BigDecimal lineTotal) {}

    static OrderResponse of(Order order) {
        return new OrderResponse(
                order.id(),
                order.status(),
                order.customerId(),
                order.customerEmail(),
                order.lines().stream()
                        .map(line ->
                                new LineResponse(line.productId(), line.quantity(), line.unitPrice(), line.lineTotal()))
                        .toList(),
                order.total(),
                order.createdAt());
    }
}
