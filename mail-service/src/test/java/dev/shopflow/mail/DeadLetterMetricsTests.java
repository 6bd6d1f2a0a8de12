package dev.shopflow.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shopflow.events.OrderPlaced;
import dev.shopflow.events.Topics;
import dev.shopflow.testsupport.RelayedRecord;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/**
 * The gauge {@code shopflow_dead_letters_pending{group,topic}} on {@code /actuator/prometheus}, read from real
 * Kafka: dead letters count until they are re-driven.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {MailTestSupport.ADMIN, "shopflow.dead-letters.metrics.refresh-interval=500ms"})
@Import(ContainersConfig.class)
class DeadLetterMetricsTests extends MailTestSupport {

    static final String PENDING = "shopflow_dead_letters_pending{group=\"mail-service\",topic=\"orders\"}";

    @Value("${local.management.port}")
    int managementPort;

    @Test
    void deadLettersArePendingUntilReDriven() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> pending() == 0);

        deadLetter();
        deadLetter();

        await().atMost(Duration.ofSeconds(30)).until(() -> pending() == 2);

        redrive();

        await().atMost(Duration.ofSeconds(30)).until(() -> pending() == 0);
        awaitMails(2);

        deadLetter();

        await().atMost(Duration.ofSeconds(30)).until(() -> pending() == 1);
    }

    /** The gauge's value in a real scrape; NaN while it could not be read. */
    private double pending() throws Exception {
        HttpResponse<String> scrape = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/actuator/prometheus"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.statusCode()).isEqualTo(200);
        List<String> lines = scrape.body()
                .lines()
                .filter(line -> line.startsWith(PENDING + " "))
                .toList();
        assertThat(lines).as(PENDING).hasSize(1);
        return Double.parseDouble(lines.getFirst().substring(PENDING.length() + 1));
    }

    /** What the error handler writes to the dead-letter topic: the original record plus the exception. */
    private void deadLetter() throws Exception {
        OrderPlaced event =
                new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), Instant.now(), "c", customer, LINES, TOTAL);
        ProducerRecord<String, String> record = RelayedRecord.of(event)
                .topic("orders.mail-service.dlt")
                .header("kafka_dlt-original-topic", Topics.ORDERS)
                .header("kafka_dlt-exception-message", "SMTP rejected the sender (since fixed)")
                .producerRecord();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", servers()), new StringSerializer(), new StringSerializer())) {
            producer.send(record).get();
        }
    }

    private void redrive() throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + adminPort + "/admin/dead-letters/redrive"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", basic(ADMIN_CREDENTIALS))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"topic\":\"orders\",\"execute\":true}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("redriven").asLong()).isEqualTo(2);
    }
}
