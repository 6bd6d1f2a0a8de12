package dev.shopflow.events;

/** Kafka topic names. Every topic is keyed by order id. */
public final class Topics {

    /** {@link OrderEvent}s, published by order-service. */
    public static final String ORDERS = "orders";

    /** {@link StockEvent}s, published by stock-service. */
    public static final String STOCK = "stock";

    private Topics() {}
}
