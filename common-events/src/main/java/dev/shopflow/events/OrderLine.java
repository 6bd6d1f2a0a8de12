package dev.shopflow.events;

import java.math.BigDecimal;

/** One line of an order as it travels in events. */
public record OrderLine(String productId, int quantity, BigDecimal unitPrice) {

    public OrderLine {
        Require.text(productId, "productId");
        Require.positive(quantity, "quantity");
        Require.nonNegative(unitPrice, "unitPrice");
    }
}
