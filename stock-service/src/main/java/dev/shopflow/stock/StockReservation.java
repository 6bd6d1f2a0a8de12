package dev.shopflow.stock;

import dev.shopflow.consumer.ProcessedEvents;
import dev.shopflow.events.DomainEvent;
import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.events.StockRejected;
import dev.shopflow.events.StockReserved;
import dev.shopflow.outbox.OutboxWriter;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reserves stock for placed orders: for each order every line or none, in one transaction with the record that
 * the event was handled and the {@link StockReserved} or {@link StockRejected} outbox row.
 *
 * <p>A poll batch of orders is reserved in one transaction, in the order the events arrived: the products of all
 * of them are locked once, in product-id order so two batches cannot deadlock, the arithmetic is done on what
 * was read, and each changed product is written once. The outcome is the same as reserving them one by one in
 * that order; the {@code available >= 0} check constraint backs the arithmetic.
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
        return reserveAll(List.of(order)).get(0);
    }

    /** @return each order's outcome, in the order given */
    @Transactional
    List<Outcome> reserveAll(List<OrderPlaced> orders) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Set<UUID> firstTime = processedEvents.firstTimes(
                CONSUMER_GROUP, orders.stream().map(OrderPlaced::eventId).toList());
        Map<String, Integer> available = lockProducts(orders);
        Map<String, Integer> before = Map.copyOf(available);
        List<Outcome> outcomes = new ArrayList<>(orders.size());
        List<Object[]> reservations = new ArrayList<>();
        List<DomainEvent> events = new ArrayList<>();
        Set<UUID> handled = new HashSet<>();
        for (OrderPlaced order : orders) {
            if (!firstTime.contains(order.eventId()) || !handled.add(order.eventId())) {
                outcomes.add(Outcome.ALREADY_HANDLED);
                continue;
            }
            List<OrderLine> lines = order.lines().stream()
                    .sorted(Comparator.comparing(OrderLine::productId))
                    .toList();
            List<StockRejected.ShortLine> shortLines = new ArrayList<>();
            for (OrderLine line : lines) {
                int inStock = available.getOrDefault(line.productId(), 0);
                if (inStock < line.quantity()) {
                    shortLines.add(new StockRejected.ShortLine(line.productId(), line.quantity(), inStock));
                }
            }
            if (!shortLines.isEmpty()) {
                events.add(
                        new StockRejected(UUID.randomUUID(), order.orderId(), now, "insufficient stock", shortLines));
                outcomes.add(Outcome.REJECTED);
                continue;
            }
            for (OrderLine line : lines) {
                available.merge(line.productId(), -line.quantity(), Integer::sum);
                reservations.add(
                        new Object[] {order.orderId(), line.productId(), line.quantity(), Timestamp.from(now)});
            }
            events.add(new StockReserved(
                    UUID.randomUUID(),
                    order.orderId(),
                    now,
                    lines.stream()
                            .map(line -> new StockReserved.ReservedLine(line.productId(), line.quantity()))
                            .toList()));
            outcomes.add(Outcome.RESERVED);
        }
        writeAvailable(available, before, now);
        if (!reservations.isEmpty()) {
            jdbc.sql("insert into reservations (order_id, product_id, quantity, reserved_at) values :rows")
                    .param("rows", reservations)
                    .update();
        }
        outbox.appendAll(events);
        return outcomes;
    }

    /** Locks the products of all the orders, in id order, and returns what each has available. */
    private Map<String, Integer> lockProducts(List<OrderPlaced> orders) {
        Set<String> ids = new TreeSet<>();
        orders.forEach(order -> order.lines().forEach(line -> ids.add(line.productId())));
        Map<String, Integer> available = new HashMap<>();
        if (ids.isEmpty()) {
            return available;
        }
        jdbc.sql("select id, available from products where id in (:ids) order by id for update")
                .param("ids", List.copyOf(ids))
                .query((rs, row) -> available.put(rs.getString("id"), rs.getInt("available")))
                .list();
        return available;
    }

    private void writeAvailable(Map<String, Integer> available, Map<String, Integer> before, Instant now) {
        List<Object[]> changed = available.entrySet().stream()
                .filter(product -> !product.getValue().equals(before.get(product.getKey())))
                .sorted(Map.Entry.comparingByKey())
                .map(product -> new Object[] {product.getKey(), product.getValue()})
                .toList();
        if (changed.isEmpty()) {
            return;
        }
        jdbc.sql("""
                        update products set available = changed.available, updated_at = :now
                        from (values :changed) as changed (id, available)
                        where products.id = changed.id""")
                .param("changed", changed)
                .param("now", Timestamp.from(now))
                .update();
    }
}
