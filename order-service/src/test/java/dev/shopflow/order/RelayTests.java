package dev.shopflow.order;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shopflow.events.DomainEvent;
import dev.shopflow.events.OrderConfirmed;
import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.events.OrderRejected;
import dev.shopflow.events.Topics;
import dev.shopflow.outbox.OutboxWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** The relay carries committed outbox rows to Kafka: keyed, with headers, payload as JSON, in order per key. */
class RelayTests extends RelayIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<OrderLine> LINES = List.of(new OrderLine("SKU-1", 1, BigDecimal.TEN));

    @Autowired
    OutboxWriter outbox;

    @Autowired
    TransactionTemplate transaction;

    @Test
    void placedOrdersArriveKeyedByOrderIdWithHeadersAndTheJsonPayload() {
        for (int i = 0; i < 10; i++) {
            assertThat(api.postOrder(VALID_ORDER).status()).isEqualTo(201);
        }
        Map<String, Map<String, Object>> rows = new HashMap<>();
        jdbc.sql("select id::text as id, aggregateid, payload::text as payload from outbox")
                .query()
                .listOfRows()
                .forEach(row -> rows.put((String) row.get("id"), row));

        List<ConsumerRecord<String, String>> received = orders.awaitEventIds(rows.keySet(), Duration.ofSeconds(60));

        for (ConsumerRecord<String, String> record : received) {
            Map<String, Object> row = rows.get(KafkaProbe.eventId(record));
            if (row == null) {
                continue; // written by another test
            }
            assertThat(record.key()).isEqualTo(row.get("aggregateid"));
            assertThat(KafkaProbe.header(record, "eventType")).isEqualTo("OrderPlaced");
            assertThat(KafkaProbe.header(record, "schemaVersion")).isEqualTo("1");
            assertThat(record.value()).startsWith("{");
            assertThat(JSON.readTree(record.value())).isEqualTo(JSON.readTree((String) row.get("payload")));
        }
    }

    @Test
    void theEventContinuesTheRequestsTraceAndTheRecordCarriesTheRelaysSpan() {
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        String callerSpan = "00f067aa0ba902b7";
        api.postOrder(VALID_ORDER, "traceparent", "00-" + trace + "-" + callerSpan + "-01");
        api.postOrder(VALID_ORDER);
        Map<String, String> traceparents = new HashMap<>();
        jdbc.sql("select id::text as id, coalesce(traceparent, '') as traceparent from outbox")
                .query()
                .listOfRows()
                .forEach(row -> traceparents.put((String) row.get("id"), (String) row.get("traceparent")));

        List<ConsumerRecord<String, String>> received =
                orders.awaitEventIds(traceparents.keySet(), Duration.ofSeconds(60));

        assertThat(traceparents.values())
                .as("each row holds its request's server span: the caller's trace, or a new one")
                .allMatch(t -> t.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[13]"))
                .anyMatch(t -> t.startsWith("00-" + trace + "-") && !t.contains(callerSpan))
                .anyMatch(t -> !t.contains(trace));
        received.stream()
                .filter(r -> traceparents.containsKey(KafkaProbe.eventId(r)))
                .forEach(r -> {
                    String written = traceparents.get(KafkaProbe.eventId(r));
                    String sent = KafkaProbe.header(r, "traceparent");
                    assertThat(sent).as("the same trace").startsWith(written.substring(0, 36));
                    assertThat(sent).as("the relay's own span").isNotEqualTo(written);
                });
    }

    @Test
    void createsItsTopicsWithThreePartitionsAtStartUp() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", String.join(",", kafka.getBootstrapServers())))) {
            var topics = admin.describeTopics(List.of(Topics.ORDERS, "stock.order-service.dlt"))
                    .allTopicNames()
                    .get();

            assertThat(topics.values())
                    .allSatisfy(topic -> assertThat(topic.partitions()).hasSize(3));
        }
    }

    @Test
    void eventsOfOneOrderArriveInCommitOrder() {
        List<UUID> orderIds = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        Map<UUID, List<String>> committed = new LinkedHashMap<>();
        for (int round = 0; round < 4; round++) {
            for (UUID orderId : orderIds) {
                UUID eventId = UUID.randomUUID();
                DomainEvent event = switch (round) {
                    case 0 ->
                        new OrderPlaced(eventId, orderId, Instant.now(), "c", "a@example.com", LINES, BigDecimal.TEN);
                    case 1, 3 ->
                        new OrderConfirmed(eventId, orderId, Instant.now(), "a@example.com", LINES, BigDecimal.TEN);
                    default ->
                        new OrderRejected(
                                eventId,
                                orderId,
                                Instant.now(),
                                "a@example.com",
                                LINES,
                                BigDecimal.TEN,
                                "out of stock");
                };
                transaction.executeWithoutResult(status -> outbox.append(event));
                committed.computeIfAbsent(orderId, id -> new ArrayList<>()).add(eventId.toString());
            }
        }
        Set<String> all = committed.values().stream().flatMap(List::stream).collect(Collectors.toSet());

        List<ConsumerRecord<String, String>> received = orders.awaitEventIds(all, Duration.ofSeconds(60));

        for (UUID orderId : orderIds) {
            List<String> arrived = received.stream()
                    .filter(r -> orderId.toString().equals(r.key()))
                    .map(KafkaProbe::eventId)
                    .distinct()
                    .toList();
            assertThat(arrived).as("events of order %s", orderId).containsExactlyElementsOf(committed.get(orderId));
        }
    }

    @Test
    void reportsLeadershipAndRelayMetrics() {
        api.postOrder(VALID_ORDER);
        String eventId =
                jdbc.sql("select id::text from outbox").query(String.class).single();
        orders.awaitEventIds(Set.of(eventId), Duration.ofSeconds(60));

        HttpApi.Response health = actuator.get("/actuator/health/outboxRelay");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asString()).isEqualTo("UP");
        assertThat(health.json().get("details").get("role").asString()).isEqualTo("leader");

        String metrics = actuator.get("/actuator/prometheus").raw().body();
        assertThat(metrics)
                .contains("shopflow_outbox_relay_events_total{topic=\"orders\"}")
                .contains("shopflow_outbox_relay_lag_seconds_bucket")
                .contains("shopflow_outbox_relay_slot_retained_wal_bytes")
                .contains("shopflow_outbox_relay_heartbeat_age_seconds")
                .contains("shopflow_outbox_relay_leader 1.0");
        assertThat(metrics)
                .as("the relay's producer comes from Boot's ProducerFactory, measured like every other Kafka client")
                .containsPattern("kafka_producer_record_send_total\\{[^}]*client_id=\"outbox-relay-\\d+\"");
    }
}
