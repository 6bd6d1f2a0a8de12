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
import java.math.BigDecimal;
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
 * Settles pending orders from stock-service's answers: CONFIRMED on {@link StockReserved}, REJECTED on {@link
 * StockRejected}, with the matching {@link OrderConfirmed} or {@link OrderRejected} written to the outbox in the
 * same transaction as the status and the processed-event record.
 *
 * <p>A poll batch of answers is settled in one transaction, in the order they arrived: the orders are read and
 * locked with one query each for orders and lines, and written with one statement per table.
 *
 * <p>Each settled order's time from placement to settlement is recorded, once the transaction committed, in the
 * histogram {@code shopflow.orders.settle.latency{status}}.
 */
@Service
class OrderOutcomes {

    static final String CONSUMER_GROUP = "order-service";
    private static final Logger log = LoggerFactory.getLogger(OrderOutcomes.class);

    private final JdbcClient jdbc;
    private final OutboxWriter outbox;
    private final ProcessedEvents processedEvents;
    private final Clock clock = Clock.systemUTC();
    private final Map<OrderStatus, Timer> settleLatency = new HashMap<>();

    OrderOutcomes(JdbcClient jdbc, OutboxWriter outbox, ProcessedEvents processedEvents, MeterRegistry meters) {
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
    int applyAll(List<StockEvent> events) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Set<UUID> firstTime = processedEvents.firstTimes(
                CONSUMER_GROUP, events.stream().map(StockEvent::eventId).toList());
        Map<UUID, Pending> orders = lock(events.stream()
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
            Pending order = orders.get(event.orderId());
            if (order == null) {
                throw new PermanentEventFailure("No order " + event.orderId() + " for " + event);
            }
            if (order.status() != OrderStatus.PENDING) {
                log.warn(
                        "Order {} is already {}; ignoring {}",
                        order.id(),
                        order.status(),
                        event.getClass().getSimpleName());
                continue;
            }
            OrderStatus status = settle(order, event, now, outcomes);
            orders.put(order.id(), order.with(status));
            settled.add(new Object[] {order.id(), status.name()});
            Duration latency = Duration.between(order.createdAt(), now);
            latencies.add(() -> settleLatency.get(status).record(latency));
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

    private static OrderStatus settle(Pending order, StockEvent event, Instant now, List<DomainEvent> outcomes) {
        return switch (event) {
            case StockReserved reserved -> {
                outcomes.add(new OrderConfirmed(
                        UUID.randomUUID(), order.id(), now, order.customerEmail(), order.lines(), order.total()));
                yield OrderStatus.CONFIRMED;
            }
            case StockRejected rejected -> {
                outcomes.add(new OrderRejected(
                        UUID.randomUUID(),
                        order.id(),
                        now,
                        order.customerEmail(),
                        order.lines(),
                        order.total(),
                        reason(rejected)));
                yield OrderStatus.REJECTED;
            }
        };
    }

    /** Reads and locks the orders (in id order, so two batches cannot deadlock) with their lines. */
    private Map<UUID, Pending> lock(List<UUID> ids) {
        Map<UUID, Pending> orders = new HashMap<>();
        if (ids.isEmpty()) {
            return orders;
        }
        List<UUID> sorted = ids.stream().distinct().sorted().toList();
        Map<UUID, List<OrderLine>> lines = new HashMap<>();
        jdbc.sql("""
                        select order_id, product_id, quantity, unit_price from order_lines
                        where order_id in (:ids) order by order_id, line_no""")
                .param("ids", sorted)
                .query((rs, row) -> lines.computeIfAbsent(rs.getObject("order_id", UUID.class), id -> new ArrayList<>())
                        .add(new OrderLine(
                                rs.getString("product_id"), rs.getInt("quantity"), rs.getBigDecimal("unit_price"))))
                .list();
        jdbc.sql("""
                        select id, status, customer_email, total, created_at from orders
                        where id in (:ids) order by id for update""")
                .param("ids", sorted)
                .query((rs, row) -> {
                    UUID id = rs.getObject("id", UUID.class);
                    return orders.put(
                            id,
                            new Pending(
                                    id,
                                    OrderStatus.valueOf(rs.getString("status")),
                                    rs.getString("customer_email"),
                                    rs.getBigDecimal("total"),
                                    rs.getTimestamp("created_at").toInstant(),
                                    List.copyOf(lines.getOrDefault(id, List.of()))));
                })
                .list();
        return orders;
    }

    private static String reason(StockRejected rejected) {
        return rejected.shortLines().stream()
                .map(line -> line.productId() + ": " + line.requested() + " ordered, " + line.available() + " in stock")
                .collect(Collectors.joining("; ", "Not enough stock (", ")"));
    }

    /** What settling needs of an order. */
    private record Pending(
            UUID id,
            OrderStatus status,
            String customerEmail,
            BigDecimal total,
            Instant createdAt,
            List<OrderLine> lines) {

        Pending with(OrderStatus newStatus) {
            return new Pending(id, newStatus, customerEmail, total, createdAt, lines);
        }
    }
}
