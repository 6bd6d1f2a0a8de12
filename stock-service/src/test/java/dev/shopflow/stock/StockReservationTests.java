package dev.shopflow.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shopflow.events.DomainEvent;
import dev.shopflow.events.EventJson;
import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.events.StockRejected;
import dev.shopflow.events.StockReserved;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;

@SpringBootTest
@Import(ContainersConfig.class)
class StockReservationTests {

    @Autowired
    StockReservation reservation;

    @Autowired
    JdbcClient jdbc;

    private final EventJson json = new EventJson();

    @BeforeEach
    void freshCatalogue() {
        jdbc.sql("truncate reservations, processed_events, outbox").update();
        jdbc.sql("delete from products").update();
        jdbc.sql("insert into products (id, name, available) values ('A', 'a', 10), ('B', 'b', 1)")
                .update();
    }

    @Test
    void reservesEveryLineAndPublishesStockReserved() {
        OrderPlaced order = order(line("A", 3), line("B", 1));

        assertThat(reservation.reserve(order)).isEqualTo(StockReservation.Outcome.RESERVED);

        assertThat(available("A")).isEqualTo(7);
        assertThat(available("B")).isZero();
        assertThat(count("reservations")).isEqualTo(2);
        StockReserved event = (StockReserved) onlyOutboxEvent();
        assertThat(event.orderId()).isEqualTo(order.orderId());
        assertThat(event.lines())
                .containsExactly(new StockReserved.ReservedLine("A", 3), new StockReserved.ReservedLine("B", 1));
    }

    @Test
    void reservesNothingWhenOneLineIsShortAndNamesThatLine() {
        OrderPlaced order = order(line("A", 3), line("B", 2), line("UNKNOWN", 1));

        assertThat(reservation.reserve(order)).isEqualTo(StockReservation.Outcome.REJECTED);

        assertThat(available("A")).isEqualTo(10);
        assertThat(available("B")).isEqualTo(1);
        assertThat(count("reservations")).isZero();
        StockRejected event = (StockRejected) onlyOutboxEvent();
        assertThat(event.shortLines())
                .containsExactly(new StockRejected.ShortLine("B", 2, 1), new StockRejected.ShortLine("UNKNOWN", 1, 0));
    }

    @Test
    void aRedeliveredEventHasNoSecondEffect() {
        OrderPlaced order = order(line("A", 3));

        reservation.reserve(order);
        assertThat(reservation.reserve(order)).isEqualTo(StockReservation.Outcome.ALREADY_HANDLED);

        assertThat(available("A")).isEqualTo(7);
        assertThat(count("reservations")).isOne();
        assertThat(count("outbox")).isOne();
    }

    @Test
    void moreConcurrentOrdersThanStockReserveExactlyTheStock() throws Exception {
        int orders = 25;
        List<Callable<StockReservation.Outcome>> buyers = IntStream.range(0, orders)
                .<Callable<StockReservation.Outcome>>mapToObj(i -> () -> reservation.reserve(order(line("A", 1))))
                .toList();

        List<StockReservation.Outcome> outcomes;
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            outcomes = pool.invokeAll(buyers).stream()
                    .map(future -> {
                        try {
                            return future.get();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .toList();
        }

        assertThat(outcomes)
                .filteredOn(o -> o == StockReservation.Outcome.RESERVED)
                .hasSize(10);
        assertThat(outcomes)
                .filteredOn(o -> o == StockReservation.Outcome.REJECTED)
                .hasSize(15);
        assertThat(available("A")).isZero();
        assertThat(count("outbox")).isEqualTo(orders);
    }

    @Test
    void theDatabaseRefusesNegativeStock() {
        assertThatThrownBy(() -> jdbc.sql("update products set available = available - 2 where id = 'B'")
                        .update())
                .isInstanceOf(DataIntegrityViolationException.class);
    }

    private static OrderLine line(String product, int quantity) {
        return new OrderLine(product, quantity, BigDecimal.ONE);
    }

    private static OrderPlaced order(OrderLine... lines) {
        return new OrderPlaced(
                UUID.randomUUID(),
                UUID.randomUUID(),
                Instant.now(),
                "c",
                "a@example.com",
                List.of(lines),
                BigDecimal.TEN);
    }

    private int available(String product) {
        return jdbc.sql("select available from products where id = :id")
                .param("id", product)
                .query(Integer.class)
                .single();
    }

    private long count(String table) {
        return jdbc.sql("select count(*) from " + table).query(Long.class).single();
    }

    private DomainEvent onlyOutboxEvent() {
        var row = jdbc.sql("select type, schema_version, payload::text as payload from outbox")
                .query()
                .singleRow();
        return json.read((String) row.get("type"), (Integer) row.get("schema_version"), (String) row.get("payload"));
    }
}
