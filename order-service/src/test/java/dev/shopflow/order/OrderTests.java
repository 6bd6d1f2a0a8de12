package dev.shopflow.order;

import static org.assertj.core.api.Assertions.assertThat;

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
}
