package dev.shopflow.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shopflow.events.EventJson;
import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderPlaced;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The writer against a real PostgreSQL. */
class OutboxWriterTests {

    @RegisterExtension
    static final OutboxDatabase database = new OutboxDatabase();

    OutboxWriter writer;
    TransactionTemplate transaction;

    @BeforeEach
    void emptyOutbox() {
        writer = writerAsking(List.of());
        transaction = new TransactionTemplate(new DataSourceTransactionManager(database.dataSource));
        database.jdbc.sql("truncate outbox").update();
    }

    @Test
    void writesAnEventWithItsTypeKeyAndTopic() {
        OrderPlaced event = orderPlaced(2);

        transaction.executeWithoutResult(status -> writer.append(event));

        assertThat(database.jdbc
                        .sql("select aggregatetype || ' ' || aggregateid || ' ' || type from outbox where id = ?")
                        .param(event.eventId())
                        .query(String.class)
                        .single())
                .isEqualTo("orders " + event.orderId() + " OrderPlaced");
    }

    @Test
    void refusesAnEventLargerThanKafkaTakesAndTheTransactionWritesNothing() {
        OrderPlaced small = orderPlaced(1);
        OrderPlaced huge = orderPlaced(20_000);

        assertThatThrownBy(() -> transaction.executeWithoutResult(status -> writer.appendAll(List.of(small, huge))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("OrderPlaced " + huge.eventId())
                .hasMessageContaining("Kafka takes at most 1,000,000");
        assertThat(database.jdbc
                        .sql("select count(*) from outbox")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void storesTheTraceTheEventContinuesAskingEachSourceInTurn() {
        OrderPlaced first = orderPlaced(1);
        OrderPlaced second = orderPlaced(1);
        OrderPlaced third = orderPlaced(1);
        String handled = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        String current = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        writer = writerAsking(List.of(
                event -> event.equals(first) ? Optional.of(handled) : Optional.empty(),
                event -> event.equals(third) ? Optional.empty() : Optional.of(current)));

        transaction.executeWithoutResult(status -> writer.appendAll(List.of(first, second, third)));

        assertThat(traceparentOf(first)).isEqualTo(handled);
        assertThat(traceparentOf(second)).isEqualTo(current);
        assertThat(traceparentOf(third)).isEmpty();
    }

    private String traceparentOf(OrderPlaced event) {
        return database.jdbc
                .sql("select coalesce(traceparent, '') from outbox where id = ?")
                .param(event.eventId())
                .query(String.class)
                .single();
    }

    private static OutboxWriter writerAsking(List<EventTraceContext> traces) {
        return new OutboxWriter(new NamedParameterJdbcTemplate(database.dataSource), new EventJson(), traces);
    }

    private static OrderPlaced orderPlaced(int lines) {
        return new OrderPlaced(
                UUID.randomUUID(),
                UUID.randomUUID(),
                Instant.now(),
                "customer-1",
                "customer@example.com",
                IntStream.range(0, lines)
                        .mapToObj(i -> new OrderLine("product-with-a-long-name-" + i, 1, BigDecimal.ONE))
                        .toList(),
                BigDecimal.valueOf(lines));
    }
}
