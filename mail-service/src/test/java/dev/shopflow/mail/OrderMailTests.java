package dev.shopflow.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shopflow.events.DomainEvent;
import dev.shopflow.events.EventJson;
import dev.shopflow.events.EventType;
import dev.shopflow.events.OrderConfirmed;
import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.events.OrderRejected;
import dev.shopflow.events.Topics;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.testcontainers.containers.GenericContainer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Order events on Kafka become exactly the mails a customer should get, over real SMTP. */
@SpringBootTest
@Import(ContainersConfig.class)
class OrderMailTests {

    private static final List<OrderLine> LINES = List.of(
            new OrderLine("SKU-1001", 2, new BigDecimal("19.99")),
            new OrderLine("SKU-2002", 1, new BigDecimal("5.00")));
    private static final BigDecimal TOTAL = new BigDecimal("44.98");

    @Autowired
    KafkaConnectionDetails kafka;

    @Autowired
    GenericContainer<?> greenMail;

    private final HttpClient http = HttpClient.newHttpClient();
    private String customer;

    @BeforeEach
    void newCustomer() {
        customer = "ada-" + UUID.randomUUID() + "@example.com";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers()))) {
            admin.createTopics(List.of(new NewTopic(Topics.ORDERS, 3, (short) 1)))
                    .all()
                    .get();
        } catch (Exception alreadyExists) {
            // created by an earlier test
        }
    }

    @Test
    void aPlacedOrderGetsOneReceivedMailWithItsLinesAndTotalEvenWhenDeliveredTwice() throws Exception {
        OrderPlaced placed =
                new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), Instant.now(), "c", customer, LINES, TOTAL);

        publish(placed);
        publish(placed);

        JsonNode mail = awaitMails(1).get(0);
        assertThat(mail.get("subject").asString()).startsWith("We received your order");
        assertThat(mail.get("mimeMessage").asString()).contains("2 x SKU-1001 at 19.99", "Total: 44.98");
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6)).until(() -> mails().size() == 1);
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

    private void publish(DomainEvent event) throws Exception {
        EventType type = EventType.of(event);
        ProducerRecord<String, String> record =
                new ProducerRecord<>(Topics.ORDERS, event.orderId().toString(), new EventJson().write(event));
        record.headers().add("eventId", event.eventId().toString().getBytes(StandardCharsets.UTF_8));
        record.headers().add("eventType", type.typeName().getBytes(StandardCharsets.UTF_8));
        record.headers()
                .add("schemaVersion", Integer.toString(type.schemaVersion()).getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", servers()), new StringSerializer(), new StringSerializer())) {
            producer.send(record).get();
        }
    }

    private List<JsonNode> awaitMails(int count) throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> mails().size() >= count);
        return mails();
    }

    private List<JsonNode> mails() throws Exception {
        URI uri = URI.create("http://" + greenMail.getHost() + ":" + greenMail.getMappedPort(ContainersConfig.API)
                + "/api/user/" + customer + "/messages/");
        String body = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        return JsonMapper.builder().build().readTree(body).valueStream().toList();
    }

    private String servers() {
        return String.join(",", kafka.getBootstrapServers());
    }
}
