package dev.shopflow.order;

import dev.shopflow.events.OrderConfirmed;
import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderRejected;
import dev.shopflow.events.StockEvent;
import dev.shopflow.events.StockRejected;
import dev.shopflow.events.StockReserved;
import dev.shopflow.outbox.OutboxWriter;
import dev.shopflow.outbox.PermanentEventFailure;
import dev.shopflow.outbox.ProcessedEvents;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Settles a pending order from stock-service's answer: CONFIRMED on {@link StockReserved}, REJECTED on {@link
 * StockRejected}, with the matching {@link OrderConfirmed} or {@link OrderRejected} written to the outbox in the
 * same transaction as the status and the processed-event record.
 */
@Service
class OrderOutcomes {

    static final String CONSUMER_GROUP = "order-service";
    private static final Logger log = LoggerFactory.getLogger(OrderOutcomes.class);

    private final OrderRepository orders;
    private final OutboxWriter outbox;
    private final ProcessedEvents processedEvents;
    private final Clock clock = Clock.systemUTC();

    OrderOutcomes(OrderRepository orders, OutboxWriter outbox, ProcessedEvents processedEvents) {
        this.orders = orders;
        this.outbox = outbox;
        this.processedEvents = processedEvents;
    }

    /** @return false when the event was handled before (a redelivery), true when it was applied now */
    @Transactional
    boolean apply(StockEvent event) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        if (!processedEvents.firstTime(CONSUMER_GROUP, event.eventId())) {
            return false;
        }
        Order order = orders.findById(event.orderId())
                .orElseThrow(() -> new PermanentEventFailure("No order " + event.orderId() + " for " + event));
        if (order.status() != OrderStatus.PENDING) {
            log.warn(
                    "Order {} is already {}; ignoring {}",
                    order.id(),
                    order.status(),
                    event.getClass().getSimpleName());
            return true;
        }
        List<OrderLine> lines = order.lines().stream()
                .map(line -> new OrderLine(line.productId(), line.quantity(), line.unitPrice()))
                .toList();
        switch (event) {
            case StockReserved reserved -> {
                orders.save(order.withStatus(OrderStatus.CONFIRMED));
                outbox.append(new OrderConfirmed(
                        UUID.randomUUID(), order.id(), now, order.customerEmail(), lines, order.total()));
            }
            case StockRejected rejected -> {
                orders.save(order.withStatus(OrderStatus.REJECTED));
                outbox.append(new OrderRejected(
                        UUID.randomUUID(),
                        order.id(),
                        now,
                        order.customerEmail(),
                        lines,
                        order.total(),
                        reason(rejected)));
            }
        }
        return true;
    }

    private static String reason(StockRejected rejected) {
        return rejected.shortLines().stream()
                .map(line -> line.productId() + ": " + line.requested() + " ordered, " + line.available() + " in stock")
                .collect(Collectors.joining("; ", "Not enough stock (", ")"));
    }
}
