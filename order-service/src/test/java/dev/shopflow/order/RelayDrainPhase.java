package dev.shopflow.order;

import static dev.shopflow.order.RelayBenchmark.awaitAtLeast;
import static dev.shopflow.order.RelayBenchmark.progress;

import dev.shopflow.events.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Phase B of {@link RelayBenchmark}: with order-service stopped, a backlog of {@value #BACKLOG} outbox rows is
 * inserted; order-service starts again and the relay is timed until it has acknowledged them all. Then every row's
 * event id is looked for on the topic.
 */
final class RelayDrainPhase {

    static final int BACKLOG = 100_000;
    static final int BACKLOG_BATCH = 10_000;
    static final double DRAIN_TARGET = 20_000;
    private static final String BACKLOG_INSERT = """
            insert into outbox (id, aggregatetype, aggregateid, type, schema_version, payload, timestamp)
            select e.id, 'orders', e.order_id::text, 'OrderPlaced', 1,
                   jsonb_build_object(
                       'eventId', e.id, 'orderId', e.order_id,
                       'occurredAt', to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                       'customerId', 'customer-' || e.n, 'customerEmail', 'customer-' || e.n || '@example.com',
                       'lines', jsonb_build_array(
                           jsonb_build_object('productId', 'SKU-1001', 'quantity', 2, 'unitPrice', 19.99),
                           jsonb_build_object('productId', 'SKU-2002', 'quantity', 1, 'unitPrice', 5.00),
                           jsonb_build_object('productId', 'SKU-3003', 'quantity', 4, 'unitPrice', 12.50)),
                       'total', 94.98),
                   now()
            from (select gen_random_uuid() as id, gen_random_uuid() as order_id, n
                  from generate_series(1, %d) as n) as e""".formatted(BACKLOG_BATCH);

    private final PostgreSQLContainer postgres;
    private final Supplier<BenchmarkedOrderService> orderService;

    RelayDrainPhase(PostgreSQLContainer postgres, Supplier<BenchmarkedOrderService> orderService) {
        this.postgres = postgres;
        this.orderService = orderService;
    }

    Drain measure(RelayTopicReader topic) throws Exception {
        progress("phase B: inserting a backlog of " + BACKLOG + " events while the relay is stopped");
        long insertStart = System.nanoTime();
        int payloadBytes;
        try (Connection db = connect(postgres);
                Statement statement = db.createStatement()) {
            for (int inserted = 0; inserted < BACKLOG; inserted += BACKLOG_BATCH) {
                statement.executeUpdate(BACKLOG_INSERT);
            }
            payloadBytes = (int) queryLong(statement, "select avg(octet_length(payload::text)) from outbox");
        }
        double insertSeconds = seconds(System.nanoTime() - insertStart);

        progress("phase B: starting order-service; timing the relay until it has relayed the backlog");
        long runCalled = System.nanoTime();
        long relayStarted;
        long runReturned;
        long tenth;
        long ninetieth;
        long drained;
        try (BenchmarkedOrderService app = orderService.get()) {
            runReturned = System.nanoTime();
            relayStarted = app.clock().startedAt();
            MeterRegistry registry = app.context().getBean(MeterRegistry.class);
            tenth = awaitAtLeast(() -> acknowledged(registry), BACKLOG / 10, Duration.ofMinutes(5));
            ninetieth = awaitAtLeast(() -> acknowledged(registry), BACKLOG * 9L / 10, Duration.ofMinutes(5));
            drained = awaitAtLeast(() -> acknowledged(registry), BACKLOG, Duration.ofMinutes(5));
            progress("phase B: stopping order-service");
        }

        progress("checking the topic: every outbox row arrived");
        List<String> ids = outboxIds();
        topic.awaitAll(ids, Duration.ofMinutes(2));
        return new Drain(
                payloadBytes,
                insertSeconds,
                seconds(relayStarted - runCalled),
                seconds(runReturned - runCalled),
                seconds(drained - relayStarted),
                BACKLOG * 0.8 / seconds(ninetieth - tenth),
                ids.size(),
                topic.records() - topic.distinct());
    }

    static Connection connect(PostgreSQLContainer postgres) throws SQLException {
        return DriverManager.getConnection(postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword());
    }

    private static long acknowledged(MeterRegistry registry) {
        Counter events = registry.find("shopflow.outbox.relay.events")
                .tag("topic", Topics.ORDERS)
                .counter();
        return events == null ? 0 : (long) events.count();
    }

    private List<String> outboxIds() throws SQLException {
        try (Connection db = connect(postgres);
                Statement statement = db.createStatement();
                ResultSet rows = statement.executeQuery("select id::text from outbox")) {
            List<String> ids = new ArrayList<>();
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
            return ids;
        }
    }

    private static long queryLong(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    record Drain(
            int payloadBytes,
            double insertSeconds,
            double relayStartSeconds,
            double bootSeconds,
            double drainSeconds,
            double streamingRate,
            long outboxRows,
            long duplicates) {}
}
