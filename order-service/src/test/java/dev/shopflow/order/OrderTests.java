package dev.shopflow.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.shopflow.events.StockRejected;
import dev.shopflow.events.StockReserved;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class OrderTests {

    @Test
    void placedOrderIsPendingWithTheSumOfItsLines() {
        Order order = Order.place(
                UUID.randomUUID(),
                "c-1",
                "ada@example.com",
                List.of(
                        new Order.Line("A", 3, new BigDecimal("0.10")),
                        new Order.Line("B", 1000, new BigDecimal("999999.99"))),
                Instant.now());

        assertThat(order.status()).isEqualTo(OrderStatus.PENDING);
        assertThat(order.total()).isEqualTo(new BigDecimal("999999990.30"));
        assertThat(order.version()).isNull();
    }

    @Test
    void freeLinesCostNothing() {
        Order order = Order.place(
                UUID.randomUUID(),
                "c-1",
                "ada@example.com",
                List.of(new Order.Line("A", 2, BigDecimal.ZERO)),
                Instant.now());

        assertThat(order.total()).isEqualTo(new BigDecimal("0.00"));
    }

    @Test
    void confirmsAPendingOrderWhenStockWasReserved() {
        Order pending = pendingOrder();

        Order confirmed = pending.settle(reserved(pending.id()));

        assertThat(confirmed.status()).isEqualTo(OrderStatus.CONFIRMED);
        assertThat(confirmed.isSettled()).isTrue();
        assertThat(confirmed)
                .usingRecursiveComparison()
                .ignoringFields("status")
                .isEqualTo(pending);
        assertThat(pending.status()).as("the pending order itself is unchanged").isEqualTo(OrderStatus.PENDING);
    }

    @Test
    void rejectsAPendingOrderWhenStockWasShort() {
        Order pending = pendingOrder();

        Order rejected = pending.settle(rejected(pending.id()));

        assertThat(rejected.status()).isEqualTo(OrderStatus.REJECTED);
        assertThat(rejected.isSettled()).isTrue();
        assertThat(rejected).usingRecursiveComparison().ignoringFields("status").isEqualTo(pending);
    }

    @Test
    void aPlacedOrderIsNotSettled() {
        assertThat(pendingOrder().isSettled()).isFalse();
    }

    @Test
    void refusesToSettleAnOrderTwice() {
        Order pending = pendingOrder();
        Order confirmed = pending.settle(reserved(pending.id()));

        assertThatIllegalStateException()
                .isThrownBy(() -> confirmed.settle(reserved(pending.id())))
                .withMessage("Order " + pending.id() + " is already CONFIRMED; it cannot be settled again on"
                        + " StockReserved");
    }

    @Test
    void refusesToConfirmARejectedOrder() {
        Order pending = pendingOrder();
        Order rejected = pending.settle(rejected(pending.id()));

        assertThatIllegalStateException()
                .isThrownBy(() -> rejected.settle(reserved(pending.id())))
                .withMessage("Order " + pending.id() + " is already REJECTED; it cannot be settled again on"
                        + " StockReserved");
    }

    @Test
    void refusesToSettleAnOrderOnAnAnswerAboutAnotherOrder() {
        Order pending = pendingOrder();
        UUID otherOrder = UUID.randomUUID();

        assertThatIllegalArgumentException()
                .isThrownBy(() -> pending.settle(reserved(otherOrder)))
                .withMessage("Order " + pending.id() + " cannot be settled on an answer about order " + otherOrder);
    }

    private static Order pendingOrder() {
        return Order.place(
                UUID.randomUUID(),
                "c-1",
                "ada@example.com",
                List.of(new Order.Line("SKU-1001", 2, new BigDecimal("19.99"))),
                Instant.now());
    }

    private static StockReserved reserved(UUID orderId) {
        return new StockReserved(
                UUID.randomUUID(), orderId, Instant.now(), List.of(new StockReserved.ReservedLine("SKU-1001", 2)));
    }

    private static StockRejected rejected(UUID orderId) {
        return new StockRejected(
                UUID.randomUUID(),
                orderId,
                Instant.now(),
                "insufficient stock",
                List.of(new StockRejected.ShortLine("SKU-1001", 2, 1)));
    }
}
