package dev.shopflow.admin.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shopflow.events.EventHeaders;
import dev.shopflow.testsupport.Containers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.testcontainers.kafka.KafkaContainer;

/** Re-driving a dead-letter topic of any size, a batch at a time, against a real Kafka. */
class DeadLetterRedriveTests {

    static final KafkaContainer kafka = Containers.kafka();

    @BeforeAll
    static void start() {
        kafka.start();
    }

    @AfterAll
    static void stop() {
        kafka.stop();
    }

    /**
     * 1,200 dead letters, the 701st too large for the topic it goes back to: the re-drive fails there, and what it
     * re-drove before stays re-driven (committed batch by batch), instead of the whole topic read into memory and
     * nothing marked.
     */
    @Test
    void aRedriveGoesABatchAtATimeAndKeepsWhatItDidWhenOneFails() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.getBootstrapServers()))) {
            admin.createTopics(List.of(
                            new NewTopic("events", 1, (short) 1).configs(Map.of("max.message.bytes", "20000")),
                            new NewTopic("events.g.dlt", 1, (short) 1)))
                    .all()
                    .get();
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", kafka.getBootstrapServers()),
                new StringSerializer(),
                new StringSerializer())) {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < 1200; i++) {
                String value = i == 700 ? "x".repeat(50_000) : "{\"n\":" + i + "}";
                ProducerRecord<String, String> record = new ProducerRecord<>("events.g.dlt", "k-" + i, value);
                record.headers().add(EventHeaders.EVENT_ID, ("e-" + i).getBytes(StandardCharsets.UTF_8));
                sent.add(producer.send(record));
            }
            for (Future<?> ack : sent) {
                ack.get();
            }
        }
        Map<String, Object> client = Map.of("bootstrap.servers", kafka.getBootstrapServers());
        DeadLetterRedrive redrive = new DeadLetterRedrive(
                "g", new DefaultKafkaConsumerFactory<>(client), new DefaultKafkaProducerFactory<>(client));

        assertThat(redrive.run("events", false).pending()).isEqualTo(1200);
        assertThatThrownBy(() -> redrive.run("events", true))
                .hasMessageContaining("Publishing dead letters to events failed")
                .hasMessageContaining("a retry publishes it again");

        DeadLetterRedrive.Report after = redrive.run("events", false);
        assertThat(after.pending())
                .as("the batches before the one that failed are re-driven; the 701st and all after it are not")
                .isBetween(500L, 1199L);
        assertThat(after.listed().getFirst().offset()).isBetween(1L, 700L);
    }
}
