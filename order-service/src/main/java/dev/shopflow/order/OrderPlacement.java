package dev.shopflow.order;

import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.outbox.OutboxWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Places orders. In one database transaction: the Idempotency-Key claim (if any), the order with its lines and
 * exactly one {@link OrderPlaced} outbox row. Either all of it commits or none of it.
 */
@Service
class OrderPlacement {

    private final OrderRepository orders;
    private final JdbcClient jdbc;
    private final IdempotencyKeys idempotencyKeys;
    private final OutboxWriter outbox;
    private final TransactionTemplate transaction;
    private final Clock clock;
    private final Counter placed;
    private final Counter replayed;

    OrderPlacement(
            OrderRepository orders,
            JdbcClient jdbc,
            IdempotencyKeys idempotencyKeys,
            OutboxWriter outbox,
            TransactionTemplate transaction,
            MeterRegistry meters) {
        this.orders = orders;
        this.jdbc = jdbc;
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
        Order order = Order.place(orderId, request.customerId(), request.customerEmail(), request.toLines(), now);
        insert(order);
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

    /**
     * Inserts a new order with its lines: two statements. Written out rather than {@code orders.save}, whose
     * mapping cost more than a quarter of a request's CPU time when profiled (docs/benchmarks.md, "Pipeline").
     * The columns are those Spring Data JDBC maps {@link Order} to, so {@link #find} reads them back as usual.
     */
    private void insert(Order order) {
        jdbc.sql("""
                        insert into orders (id, customer_id, customer_email, status, total, created_at, version)
                        values (:id, :customerId, :customerEmail, :status, :total, :createdAt, 0)""")
                .param("id", order.id())
                .param("customerId", order.customerId())
                .param("customerEmail", order.customerEmail())
                .param("status", order.status().name())
                .param("total", order.total())
                .param("createdAt", Timestamp.from(order.createdAt()))
                .update();
        List<Object[]> lines = new ArrayList<>();
        for (int i = 0; i < order.lines().size(); i++) {
            Order.Line line = order.lines().get(i);
            lines.add(new Object[] {order.id(), i, line.productId(), line.quantity(), line.unitPrice()});
        }
        jdbc.sql("insert into order_lines (order_id, line_no, product_id, quantity, unit_price) values :lines")
                .param("lines", lines)
                .update();
    }

    Order find(UUID id) {
        return orders.findById(id).orElseThrow(() -> new OrderNotFoundException(id));
    }

    /** @param replayed true when an earlier request with the same Idempotency-Key created the order */
    record Placement(Order order, boolean replayed) {}
}
