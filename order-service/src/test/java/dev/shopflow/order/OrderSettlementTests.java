package dev.shopflow.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shopflow.events.DomainEvent;
import dev.shopflow.events.StockRejected;
import dev.shopflow.events.StockReserved;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** order-service settles orders from stock-service's answers on topic {@code stock}, in group order-service. */
class OrderSettlementTests extends RelayIntegrationTest {

    @Test
    void reservedStockConfirmsTheOrderOnceAndPublishesOrderConfirmed() throws Exception {
        UUID orderId = placeOrder();
        StockReserved reserved = new StockReserved(
                UUID.randomUUID(), orderId, Instant.now(), List.of(new StockReserved.ReservedLine("SKU-1001", 2)));

        publish(reserved);
        publish(reserved);

        await().atMost(Duration.ofSeconds(60)).until(() -> "CONFIRMED".equals(status(orderId)));
        ConsumerRecord<String, String> confirmed = outcomeOnOrdersTopic(orderId, "OrderConfirmed");
        assertThat(JsonMapper.builder()
                        .build()
                        .readTree(confirmed.value())
                        .get("customerEmail")
                        .asString())
                .isEqualTo("ada@example.com");
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(5))
                .until(() -> outboxRows(orderId, "OrderConfirmed") == 1);
    }

    @Test
    void rejectedStockRejectsTheOrderAndSaysWhy() throws Exception {
        UUID orderId = placeOrder();

        publish(new StockRejected(
                UUID.randomUUID(),
                orderId,
                Instant.now(),
                "insufficient stock",
                List.of(new StockRejected.ShortLine("SKU-2002", 1, 0))));

        await().atMost(Duration.ofSeconds(60)).until(() -> "REJECTED".equals(status(orderId)));
        ConsumerRecord<String, String> rejected = outcomeOnOrdersTopic(orderId, "OrderRejected");
        assertThat(rejected.value()).contains("SKU-2002: 1 ordered, 0 in stock");
    }

    private UUID placeOrder() {
        return UUID.fromString(api.postOrder(VALID_ORDER).json().get("id").asString());
    }

    private String status(UUID orderId) {
        return api.get("/orders/" + orderId).json().get("status").asString();
    }

    private long outboxRows(UUID orderId, String type) {
        return jdbc.sql("select count(*) from outbox where aggregateid = :id and type = :type")
                .param("id", orderId.toString())
                .param("type", type)
                .query(Long.class)
                .single();
    }

    private ConsumerRecord<String, String> outcomeOnOrdersTopic(UUID orderId, String type) {
        String eventId = jdbc.sql("select id::text from outbox where aggregateid = :id and type = :type")
                .param("id", orderId.toString())
                .param("type", type)
                .query(String.class)
                .single();
        return orders.awaitEventIds(Set.of(eventId), Duration.ofSeconds(60)).stream()
                .filter(r -> eventId.equals(KafkaProbe.eventId(r)))
                .findFirst()
                .orElseThrow();
    }

    private void publish(DomainEvent event) throws Exception {
        KafkaProbe.publishOnStock(String.join(",", kafka.getBootstrapServers()), event);
    }
}
