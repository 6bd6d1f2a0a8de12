package dev.shopflow.order;

import dev.shopflow.events.StockEvent;
import dev.shopflow.events.StockRejected;
import dev.shopflow.events.StockReserved;
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

    /**
     * Settles the order on stock-service's answer: {@link OrderStatus#CONFIRMED} when the stock was reserved,
     * {@link OrderStatus#REJECTED} when it was not.
     *
     * @return the settled order; its version is unchanged (the statement that saves it increments it)
     * @throws IllegalStateException when the order is already settled: an order is settled once, while it is
     *     {@link OrderStatus#PENDING}
     * @throws IllegalArgumentException when the answer is about another order
     */
    Order settle(StockEvent answer) {
        if (!answer.orderId().equals(id)) {
            throw new IllegalArgumentException(
                    "Order " + id + " cannot be settled on an answer about order " + answer.orderId());
        }
        if (isSettled()) {
            throw new IllegalStateException("Order " + id + " is already " + status + "; it cannot be settled again on "
                    + answer.getClass().getSimpleName());
        }
        OrderStatus settled = switch (answer) {
            case StockReserved reserved -> OrderStatus.CONFIRMED;
            case StockRejected rejected -> OrderStatus.REJECTED;
        };
        return new Order(id, customerId, customerEmail, settled, total, createdAt, lines, version);
    }

    /** @return true once the order is no longer {@link OrderStatus#PENDING}: it was confirmed or rejected */
    boolean isSettled() {
        return status != OrderStatus.PENDING;
    }

    @Table("order_lines")
    record Line(String productId, int quantity, BigDecimal unitPrice) {

        BigDecimal lineTotal() {
            return unitPrice.multiply(BigDecimal.valueOf(quantity));
        }
    }
}
