package dev.shopflow.events;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** One fixed sample per event type: the source of the golden JSON files. */
final class SampleEvents {

    static final UUID EVENT_ID = UUID.fromString("0b5e6a8e-3c1f-4b7a-9d2e-5f6a7b8c9d01");
    static final UUID ORDER_ID = UUID.fromString("6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e");
    static final Instant AT = Instant.parse("2026-11-23T10:15:30.123456Z");
    static final List<OrderLine> LINES = List.of(
            new OrderLine("SKU-1001", 2, new BigDecimal("19.99")),
            new OrderLine("SKU-2002", 1, new BigDecimal("5.00")));
    static final BigDecimal TOTAL = new BigDecimal("44.98");

    private SampleEvents() {}

    static DomainEvent of(EventType type) {
        return switch (type) {
            case ORDER_PLACED ->
                new OrderPlaced(EVENT_ID, ORDER_ID, AT, "customer-42", "ada@example.com", LINES, TOTAL);
            case ORDER_CONFIRMED -> new OrderConfirmed(EVENT_ID, ORDER_ID, AT, "ada@example.com", LINES, TOTAL);
            case ORDER_REJECTED ->
                new OrderRejected(EVENT_ID, ORDER_ID, AT, "ada@example.com", LINES, TOTAL, "SKU-2002 is out of stock");
            case STOCK_RESERVED ->
                new StockReserved(
                        EVENT_ID,
                        ORDER_ID,
                        AT,
                        List.of(
                                new StockReserved.ReservedLine("SKU-1001", 2),
                                new StockReserved.ReservedLine("SKU-2002", 1)));
            case STOCK_REJECTED ->
                new StockRejected(
                        EVENT_ID,
                        ORDER_ID,
                        AT,
                        "insufficient stock",
                        List.of(new StockRejected.ShortLine("SKU-2002", 1, 0)));
        };
    }
}
