package dev.shopflow.stock;

import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.events.StockRejected;
import dev.shopflow.events.StockReserved;
import dev.shopflow.outbox.OutboxWriter;
import dev.shopflow.outbox.ProcessedEvents;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reserves stock for a placed order: every line or none, in one transaction with the record that the event was
 * handled and the {@link StockReserved} or {@link StockRejected} outbox row.
 *
 * <p>Concurrent orders for the same products serialize on the product rows, locked in product-id order so two
 * orders cannot deadlock. The {@code available >= 0} check constraint backs the arithmetic.
 */
@Service
class StockReservation {

    static final String CONSUMER_GROUP = "stock-service";

    private final JdbcClient jdbc;
    private final ProcessedEvents processedEvents;
    private final OutboxWriter outbox;
    private final Clock clock = Clock.systemUTC();

    StockReservation(JdbcClient jdbc, OutboxWriter outbox, ProcessedEvents processedEvents) {
        this.jdbc = jdbc;
        this.processedEvents = processedEvents;
        this.outbox = outbox;
    }

    enum Outcome {
        RESERVED,
        REJECTED,
        ALREADY_HANDLED
    }

    @Transactional
    Outcome reserve(OrderPlaced order) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        if (!processedEvents.firstTime(CONSUMER_GROUP, order.eventId())) {
            return Outcome.ALREADY_HANDLED;
        }
        List<OrderLine> lines = order.lines().stream()
                .sorted(Comparator.comparing(OrderLine::productId))
                .toList();
        Map<String, Integer> available = lockProducts(lines);
        List<StockRejected.ShortLine> shortLines = new ArrayList<>();
        for (OrderLine line : lines) {
            int inStock = available.getOrDefault(line.productId(), 0);
            if (inStock < line.quantity()) {
                shortLines.add(new StockRejected.ShortLine(line.productId(), line.quantity(), inStock));
            }
        }
        if (!shortLines.isEmpty()) {
            outbox.append(new StockRejected(UUID.randomUUID(), order.orderId(), now, "insufficient stock", shortLines));
            return Outcome.REJECTED;
        }
        for (OrderLine line : lines) {
            jdbc.sql("update products set available = available - :quantity, updated_at = :now where id = :id")
                    .param("quantity", line.quantity())
                    .param("now", Timestamp.from(now))
                    .param("id", line.productId())
                    .update();
            jdbc.sql("""
                            insert into reservations (order_id, product_id, quantity, reserved_at)
                            values (:orderId, :productId, :quantity, :now)""")
                    .param("orderId", order.orderId())
                    .param("productId", line.productId())
                    .param("quantity", line.quantity())
                    .param("now", Timestamp.from(now))
                    .update();
        }
        outbox.append(new StockReserved(
                UUID.randomUUID(),
                order.orderId(),
                now,
                lines.stream()
                        .map(line -> new StockReserved.ReservedLine(line.productId(), line.quantity()))
                        .toList()));
        return Outcome.RESERVED;
    }

    /** Locks the order's product rows, in id order, and returns what each has available. */
    private Map<String, Integer> lockProducts(List<OrderLine> lines) {
        Map<String, Integer> available = new HashMap<>();
        jdbc.sql("select id, available from products where id in (:ids) order by id for update")
                .param("ids", lines.stream().map(OrderLine::productId).toList())
                .query((rs, row) -> available.put(rs.getString("id"), rs.getInt("available")))
                .list();
        return available;
    }
}
