package dev.shopflow.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shopflow.events.EventJson;
import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderPlaced;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
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
        writer = new OutboxWriter(new NamedParameterJdbcTemplate(database.dataSource), new EventJson());
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
