package dev.shopflow.order;

import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.outbox.OutboxWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Places orders. In one database transaction: the Idempotency-Key claim (if any), the order with its lines and
 * exactly one {@link OrderPlaced} outbox row. Either all of it commits or none of it.
 */
@Service
class OrderPlacement {

    private final OrderRepository orders;
    private final IdempotencyKeys idempotencyKeys;
    private final OutboxWriter outbox;
    private final TransactionTemplate transaction;
    private final Clock clock;
    private final Counter placed;
    private final Counter replayed;

    OrderPlacement(
            OrderRepository orders,
            IdempotencyKeys idempotencyKeys,
            OutboxWriter outbox,
            TransactionTemplate transaction,
            MeterRegistry meters) {
        this.orders = orders;
        this.idempotencyKeys = idempotencyKeys;
        this.outbox = outbox;
        this.transaction = transaction;
        this.clock = Clock.systemUTC();
        this.placed = meters.counter("shopflow.orders.placed");
        this.replayed = meters.counter("shopflow.orders.idempotent.replays");
    }

    /** @param idempotencyKey the client's key, already validated, or null */
    Placement place(PlaceOrderRequest request, @Nullable String idempotencyKey) {
        List<FieldProblem> errors = request.crossFieldErrors();
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        Placement placement = transaction.execute(status -> placeInTransaction(request, idempotencyKey));
        (placement.replayed() ? replayed : placed).increment();
        return placement;
    }

    private Placement placeInTransaction(PlaceOrderRequest request, @Nullable String idempotencyKey) {
        UUID orderId = UUID.randomUUID();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS); // PostgreSQL keeps microseconds
        if (idempotencyKey != null) {
            String hash = request.fingerprint();
            Optional<IdempotencyKeys.Claim> earlier = idempotencyKeys.claim(idempotencyKey, hash, orderId, now);
            if (earlier.isPresent()) {
                if (!earlier.get().requestHash().equals(hash)) {
                    throw new IdempotencyKeyReusedException(idempotencyKey);
                }
                return new Placement(find(earlier.get().orderId()), true);
            }
        }
        Order order = orders.save(
                Order.place(orderId, request.customerId(), request.customerEmail(), request.toLines(), now));
        outbox.append(new OrderPlaced(
                UUID.randomUUID(),
                order.id(),
                now,
                order.customerId(),
                order.customerEmail(),
                order.lines().stream()
                        .map(line -> new OrderLine(line.productId(), line.quantity(), line.unitPrice()))
                        .toList(),
                order.total()));
        return new Placement(order, false);
    }

    Order find(UUID id) {
        return orders.findById(id).orElseThrow(() -> new OrderNotFoundException(id));
    }

    /** @param replayed true when an earlier request with the same Idempotency-Key created the order */
    record Placement(Order order, boolean replayed) {}
}
