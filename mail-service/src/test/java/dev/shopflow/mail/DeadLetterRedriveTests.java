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
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.JsonNode;

/**
 * Re-driving dead letters: a record dead-lettered by an earlier failure goes back to its topic once, with its key
 * and headers, and is processed; re-driving again finds nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = MailTestSupport.ADMIN)
@Import(ContainersConfig.class)
class DeadLetterRedriveTests extends MailTestSupport {

    @Test
    void aDeadLetterWhoseCauseIsFixedIsProcessedAfterARedrive() throws Exception {
        OrderPlaced placed =
                new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), Instant.now(), "c", customer, LINES, TOTAL);
        deadLetter(placed, "SMTP rejected the sender (since fixed)");

        JsonNode listed = redrive("{\"topic\":\"orders\"}");

        assertThat(listed.get("deadLetterTopic").asString()).isEqualTo("orders.mail-service.dlt");
        assertThat(listed.get("redriven").asLong()).isZero();
        assertThat(listed.get("listed").valueStream())
                .anyMatch(letter ->
                        letter.get("eventId").asString().equals(placed.eventId().toString())
                                && letter.get("error").asString().contains("since fixed"));
        assertThat(mails()).isEmpty();

        JsonNode redriven = redrive("{\"topic\":\"orders\",\"execute\":true}");

        assertThat(redriven.get("redriven").asLong())
                .isEqualTo(redriven.get("pending").asLong())
                .isPositive();
        assertThat(subjects(awaitMails(1)))
                .singleElement()
                .asString()
                .contains(placed.orderId().toString());
        JsonNode again = redrive("{\"topic\":\"orders\",\"execute\":true}");
        assertThat(again.get("pending").asLong()).isZero();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> mails().size() == 1);
    }

    /** What the error handler writes to the dead-letter topic: the original record plus the exception. */
    private void deadLetter(OrderPlaced event, String error) throws Exception {
        ProducerRecord<String, String> record = RelayedRecord.of(event)
                .topic("orders.mail-service.dlt")
                .header("kafka_dlt-original-topic", Topics.ORDERS)
                .header("kafka_dlt-exception-message", error)
                .producerRecord();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", servers()), new StringSerializer(), new StringSerializer())) {
            producer.send(record).get();
        }
    }

    private JsonNode redrive(String body) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + adminPort + "/admin/dead-letters/redrive"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", basic(ADMIN_CREDENTIALS))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
