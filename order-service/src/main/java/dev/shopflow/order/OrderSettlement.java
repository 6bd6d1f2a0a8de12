package dev.shopflow.order;

import dev.shopflow.consumer.PermanentEventFailure;
import dev.shopflow.consumer.ProcessedEvents;
import dev.shopflow.events.DomainEvent;
import dev.shopflow.events.OrderConfirmed;
import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderRejected;
import dev.shopflow.events.StockEvent;
import dev.shopflow.events.StockRejected;
import dev.shopflow.events.StockReserved;
import dev.shopflow.outbox.OutboxWriter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Settles pending orders from stock-service's answers ({@link Order#settle}: CONFIRMED on {@link StockReserved},
 * REJECTED on {@link StockRejected}), with the matching {@link OrderConfirmed} or {@link OrderRejected} written to
 * the outbox in the same transaction as the status and the processed-event record. An answer about an order that
 * is already settled is logged and ignored.
 *
 * <p>A poll batch of answers is settled in one transaction, in the order they arrived: the orders are read and
 * locked with one query each for orders and lines, and written with one statement per table.
 *
 * <p>Each settled order's time from placement to settlement is recorded, once the transaction committed, in the
 * histogram {@code shopflow.orders.settle.latency{status}}.
 */
@Service
class OrderSettlement {

    static final String CONSUMER_GROUP = "order-service";
    private static final Logger log = LoggerFactory.getLogger(OrderSettlement.class);

    private final JdbcClient jdbc;
    private final OutboxWriter outbox;
    private final ProcessedEvents processedEvents;
    private final Clock clock = Clock.systemUTC();
    private final Map<OrderStatus, Timer> settleLatency = new HashMap<>();

    OrderSettlement(JdbcClient jdbc, OutboxWriter outbox, ProcessedEvents processedEvents, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.outbox = outbox;
        this.processedEvents = processedEvents;
        for (OrderStatus status : List.of(OrderStatus.CONFIRMED, OrderStatus.REJECTED)) {
            settleLatency.put(
                    status,
                    Timer.builder("shopflow.orders.settle.latency")
                            .description("From an order's placement to its settlement (CONFIRMED or REJECTED)")
                            .tag("status", status.name())
                            .publishPercentileHistogram()
                            .minimumExpectedValue(Duration.ofMillis(10))
                            .maximumExpectedValue(Duration.ofMinutes(10))
                            .register(meters));
        }
    }

    /**
     * @return how many of the events were applied now (the others were handled before)
     * @throws PermanentEventFailure for an answer about an order that does not exist: the whole batch rolls back
     */
    @Transactional
    int settleAll(List<StockEvent> events) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Set<UUID> firstTime = processedEvents.firstTimes(
                CONSUMER_GROUP, events.stream().map(StockEvent::eventId).toList());
        Map<UUID, Order> orders = lock(events.stream()
                .filter(event -> firstTime.contains(event.eventId()))
                .map(StockEvent::orderId)
                .toList());
        Set<UUID> applied = new HashSet<>();
        List<Object[]> settled = new ArrayList<>();
        List<Runnable> latencies = new ArrayList<>();
        List<DomainEvent> outcomes = new ArrayList<>();
        for (StockEvent event : events) {
            if (!firstTime.contains(event.eventId()) || !applied.add(event.eventId())) {
                continue;
            }
            Order order = orders.get(event.orderId());
            if (order == null) {
                throw new PermanentEventFailure("No order " + event.orderId() + " for " + event);
            }
            if (order.isSettled()) {
                log.warn(
                        "Order {} is already {}; ignoring {}",
                        order.id(),
                        order.status(),
                        event.getClass().getSimpleName());
                continue;
            }
            Order settledOrder = order.settle(event);
            orders.put(settledOrder.id(), settledOrder);
            settled.add(new Object[] {settledOrder.id(), settledOrder.status().name()});
            outcomes.add(outcome(settledOrder, event, now));
            Timer latency = settleLatency.get(settledOrder.status());
            Duration sincePlaced = Duration.between(settledOrder.createdAt(), now);
            latencies.add(() -> latency.record(sincePlaced));
        }
        if (!settled.isEmpty()) {
            jdbc.sql("""
                            update orders set status = settled.status, settled_at = :now, version = version + 1
                            from (values :settled) as settled (id, status)
                            where orders.id = settled.id""")
                    .param("settled", settled)
                    .param("now", Timestamp.from(now))
                    .update();
        }
        outbox.appendAll(outcomes);
        afterCommit(latencies);
        return applied.size();
    }

    /** Records the settle latencies only if the transaction commits: a batch that rolls back settled nothing. */
    private static void afterCommit(List<Runnable> latencies) {
        if (latencies.isEmpty()) {
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

            @Override
            public void afterCommit() {
                latencies.forEach(Runnable::run);
            }
        });
    }

    /** The event that says how the order was settled: {@link OrderConfirmed} or {@link OrderRejected}. */
    private static DomainEvent outcome(Order settled, StockEvent answer, Instant now) {
        List<OrderLine> lines = settled.lines().stream()
                .map(line -> new OrderLine(line.productId(), line.quantity(), line.unitPrice()))
                .toList();
        return switch (answer) {
            case StockReserved reserved ->
                new OrderConfirmed(
                        UUID.randomUUID(), settled.id(), now, settled.customerEmail(), lines, settled.total());
            case StockRejected rejected ->
                new OrderRejected(
                        UUID.randomUUID(),
                        settled.id(),
                        now,
                        settled.customerEmail(),
                        lines,
                        settled.total(),
                        reason(rejected));
        };
    }

    /** Reads and locks the orders (in id order, so two batches cannot deadlock) with their lines. */
    private Map<UUID, Order> lock(List<UUID> ids) {
        Map<UUID, Order> orders = new HashMap<>();
        if (ids.isEmpty()) {
            return orders;
        }
        List<UUID> sorted = ids.stream().distinct().sorted().toList();
        Map<UUID, List<Order.Line>> lines = new HashMap<>();
        jdbc.sql("""
                        select order_id, product_id, quantity, unit_price from order_lines
                        where order_id in (:ids) order by order_id, line_no""")
                .param("ids", sorted)
                .query((rs, row) -> lines.computeIfAbsent(rs.getObject("order_id", UUID.class), id -> new ArrayList<>())
                        .add(new Order.Line(
                                rs.getString("product_id"), rs.getInt("quantity"), rs.getBigDecimal("unit_price"))))
                .list();
        jdbc.sql("""
                        select id, customer_id, customer_email, status, total, created_at, version from orders
                        where id in (:ids) order by id for update""")
                .param("ids", sorted)
                .query((rs, row) -> {
                    UUID id = rs.getObject("id", UUID.class);
                    return orders.put(
                            id,
                            new Order(
                                    id,
                                    rs.getString("customer_id"),
                                    rs.getString("customer_email"),
                                    OrderStatus.valueOf(rs.getString("status")),
                                    rs.getBigDecimal("total"),
                                    rs.getTimestamp("created_at").toInstant(),
                                    List.copyOf(lines.getOrDefault(id, List.of())),
                                    rs.getInt("version")));
                })
                .list();
        return orders;
    }

    private static String reason(StockRejected rejected) {
        return rejected.shortLines().stream()
                .map(line -> line.productId() + ": " + line.requested() + " ordered, " + line.available() + " in stock")
                .collect(Collectors.joining("; ", "Not enough stock (", ")"));
    }
}
