package dev.shopflow.mail;

import static org.awaitility.Awaitility.await;

import dev.shopflow.events.DomainEvent;
import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.events.Topics;
import dev.shopflow.testsupport.Containers;
import dev.shopflow.testsupport.RelayedRecord;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.testcontainers.containers.GenericContainer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A fresh customer per test, events published as the relay publishes them, and the mails GreenMail received. */
abstract class MailTestSupport {

    static final String ADMIN = "shopflow.admin.password=s3cret";
    static final String ADMIN_CREDENTIALS = "admin:s3cret";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final List<OrderLine> LINES = List.of(
            new OrderLine("SKU-1001", 2, new BigDecimal("19.99")),
            new OrderLine("SKU-2002", 1, new BigDecimal("5.00")));
    static final BigDecimal TOTAL = new BigDecimal("44.98");

    @Autowired
    KafkaConnectionDetails kafka;

    @Autowired
    GenericContainer<?> greenMail;

    @Value("${local.server.port}")
    int port;

    /** Where {@code /admin/**} is served: its own port, not the API's. */
    @Value("${local.admin.port}")
    int adminPort;

    final HttpClient http = HttpClient.newHttpClient();
    String customer;

    @BeforeEach
    void newCustomerAndTopic() {
        customer = "ada-" + UUID.randomUUID() + "@example.com";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers()))) {
            admin.createTopics(List.of(new NewTopic(Topics.ORDERS, 3, (short) 1)))
                    .all()
                    .get();
        } catch (Exception alreadyExists) {
            // created by an earlier test
        }
    }

    /** Publishes an OrderPlaced for this test's customer; returns the order id. */
    UUID placeOrder() throws Exception {
        UUID orderId = UUID.randomUUID();
        publish(new OrderPlaced(UUID.randomUUID(), orderId, Instant.now(), "c", customer, LINES, TOTAL));
        return orderId;
    }

    void publish(DomainEvent event) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", servers()), new StringSerializer(), new StringSerializer())) {
            producer.send(RelayedRecord.of(event).topic(Topics.ORDERS).producerRecord())
                    .get();
        }
    }

    List<JsonNode> awaitMails(int count) throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> mails().size() >= count);
        return mails();
    }

    /** The mails this test's customer received. */
    List<JsonNode> mails() throws Exception {
        URI uri = URI.create("http://" + greenMail.getHost() + ":"
                + greenMail.getMappedPort(Containers.GREENMAIL_API_PORT) + "/api/user/" + customer + "/messages/");
        String body = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        JsonNode mails = JSON.readTree(body);
        // GreenMail answers a message (not an array) for a user that has received nothing yet
        return mails.isArray() ? mails.valueStream().toList() : List.of();
    }

    static List<String> subjects(List<JsonNode> mails) {
        return mails.stream().map(mail -> mail.get("subject").asString()).toList();
    }

    static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    String servers() {
        return String.join(",", kafka.getBootstrapServers());
    }
}
