package dev.shopflow.order;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.relational.core.mapping.MappedCollection;
import org.springframework.data.relational.core.mapping.Table;

/** The order aggregate: the order and its lines, saved and loaded together. */
@Table("orders")
record Order(
        @Id UUID id,
        String customerId,
        String customerEmail,
        OrderStatus status,
        BigDecimal total,
        Instant createdAt,

        @MappedCollection(idColumn = "order_id", keyColumn = "line_no")
        List<Line> lines,

        @Version @Nullable Integer version) {

    /** A new pending order; the total is always computed here, never taken from the client. */
    static Order place(UUID id, String customerId, String customerEmail, List<Line> lines, Instant now) {
        BigDecimal total = lines.stream()
                .map(Line::lineTotal)
                .reduce(BigDecimal.ZERO, BigDecimal::add)
                .setScale(2, RoundingMode.UNNECESSARY);
        return new Order(id, customerId, customerEmail, OrderStatus.PENDING, total, now, List.copyOf(lines), null);
    }

    Order withStatus(OrderStatus newStatus) {
        return new Order(id, customerId, customerEmail, newStatus, total, createdAt, lines, version);
    }

    @Table("order_lines")
    record Line(String productId, int quantity, BigDecimal unitPrice) {

        BigDecimal lineTotal() {
            return unitPrice.multiply(BigDecimal.valueOf(quantity));
        }
    }
}
