package dev.shopflow.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shopflow.events.OrderConfirmed;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.events.OrderRejected;
import dev.shopflow.retention.TableRetention;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Order events on Kafka become exactly the mails a customer should get, over real SMTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = MailTestSupport.ADMIN)
@Import(ContainersConfig.class)
class OrderMailTests extends MailTestSupport {

    @Test
    void aPlacedOrderGetsOneReceivedMailWithItsLinesAndTotalEvenWhenDeliveredTwice() throws Exception {
        OrderPlaced placed =
                new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), Instant.now(), "c", customer, LINES, TOTAL);

        publish(placed);
        publish(placed);

        JsonNode mail = awaitMails(1).get(0);
        assertThat(mail.get("subject").asString()).startsWith("We received your order");
        assertThat(mail.get("mimeMessage").asString())
                .contains("2 x SKU-1001 at 19.99", "Total: 44.98")
                .contains("Message-ID: <" + placed.eventId() + "@shopflow.dev>");
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6)).until(() -> mails().size() == 1);
    }

    @Test
    void theMailLogForgetsAMailOlderThanItsRetentionAndKeepsTheRest(
            @Autowired @Qualifier("mailLogRetention") TableRetention mailLogRetention, @Autowired JdbcClient jdbc)
            throws Exception {
        UUID old = placeOrder();
        UUID recent = placeOrder();
        awaitMails(2);
        jdbc.sql("update mail_log set created_at = now() - interval '40 days 1 minute' where order_id = ?")
                .param(old)
                .update();

        assertThat(mailLogRetention.run()).isOne();
        assertThat(jdbc.sql("select order_id from mail_log where order_id in (?, ?)")
                        .params(old, recent)
                        .query(UUID.class)
                        .list())
                .containsExactly(recent);
    }

    @Test
    void itsDatabaseHoldsTheMailLogAndNoneOfThePublishersTables(@Autowired JdbcClient jdbc) {
        assertThat(jdbc.sql("select table_name from information_schema.tables where table_schema = 'public'")
                        .query(String.class)
                        .list())
                .contains("mail_log")
                .doesNotContain(
                        "outbox",
                        "outbox_heartbeat",
                        "outbox_parked",
                        "outbox_relay_offsets",
                        "outbox_schema_history",
                        "processed_events");
        assertThat(jdbc.sql("select count(*) from pg_publication")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void outcomesGetTheirOwnMails() throws Exception {
        UUID orderId = UUID.randomUUID();
        publish(new OrderConfirmed(UUID.randomUUID(), orderId, Instant.now(), customer, LINES, TOTAL));
        publish(new OrderRejected(
                UUID.randomUUID(),
                UUID.randomUUID(),
                Instant.now(),
                customer,
                LINES,
                TOTAL,
                "SKU-2002: 1 ordered, 0 in stock"));

        List<JsonNode> mails = awaitMails(2);
        assertThat(mails)
                .extracting(m -> m.get("subject").asString())
                .anyMatch(s -> s.startsWith("Your order is confirmed"))
                .anyMatch(s -> s.startsWith("Your order could not be fulfilled"));
        assertThat(mails)
                .extracting(m -> m.get("mimeMessage").asString())
                .anyMatch(body -> body.contains("SKU-2002: 1 ordered, 0 in stock"));
    }
}
