package dev.shopflow.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shopflow.events.OrderConfirmed;
import dev.shopflow.events.Topics;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /admin/replay} on mail-service: a dry run by default; with reprocess exactly the mails of the events
 * at or after the start are sent again; without it nothing is; other groups are never touched.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = MailTestSupport.ADMIN)
@Import(ContainersConfig.class)
class MailReplayTests extends MailTestSupport {

    private static final String OTHER_GROUP = "stock-service";

    private Admin admin;

    @BeforeEach
    void openAdmin() {
        admin = Admin.create(Map.of("bootstrap.servers", servers()));
    }

    @AfterEach
    void closeAdmin() {
        admin.close();
    }

    @Test
    void replayFromATimeWithReprocessResendsExactlyTheMailsOfEventsFromThatTime() throws Exception {
        UUID before = placeOrder();
        awaitMails(1);
        awaitCaughtUp();
        Instant from = Instant.now();
        UUID first = placeOrder();
        UUID second = placeOrder();
        awaitMails(3);
        awaitCaughtUp();
        Map<TopicPartition, OffsetAndMetadata> otherGroup = pinOtherGroupAtTheEnd();
        Map<TopicPartition, OffsetAndMetadata> ourOffsets = committed("mail-service");

        JsonNode dryRun = replay("{\"topic\":\"orders\",\"from\":\"" + from + "\",\"reprocess\":true}", 200);

        assertThat(dryRun.get("executed").asBoolean()).isFalse();
        assertThat(dryRun.get("events").asLong()).isEqualTo(2);
        assertThat(dryRun.get("effectsRedone").asLong()).isEqualTo(2);
        assertThat(dryRun.get("partitions")).hasSize(3);
        assertThat(committed("mail-service")).isEqualTo(ourOffsets);

        JsonNode executed =
                replay("{\"topic\":\"orders\",\"from\":\"" + from + "\",\"reprocess\":true,\"execute\":true}", 200);

        assertThat(executed.get("executed").asBoolean()).isTrue();
        assertThat(executed.get("effectsRedone").asLong()).isEqualTo(2);
        List<JsonNode> mails = awaitMails(5);
        assertThat(subjects(mails))
                .filteredOn(s -> s.contains(before.toString()))
                .hasSize(1);
        assertThat(subjects(mails))
                .filteredOn(s -> s.contains(first.toString()))
                .hasSize(2);
        assertThat(subjects(mails))
                .filteredOn(s -> s.contains(second.toString()))
                .hasSize(2);
        awaitCaughtUp();
        assertThat(committed(OTHER_GROUP)).isEqualTo(otherGroup);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> mails().size() == 5);
    }

    @Test
    void aDryRunSaysPlainlyWhenFromReachesBeforeWhatKafkaStillHolds() throws Exception {
        UUID orderId = placeOrder();
        awaitMails(1);
        awaitCaughtUp();
        // what retention does to old segments, now: every event so far deleted
        Map<TopicPartition, RecordsToDelete> everything = new HashMap<>();
        ends().forEach((partition, end) -> everything.put(partition, RecordsToDelete.beforeOffset(end)));
        admin.deleteRecords(everything).all().get();
        Instant kept = Instant.now();
        // the same order, so the same partition: one that lost its events
        publish(new OrderConfirmed(UUID.randomUUID(), orderId, Instant.now(), customer, LINES, TOTAL));
        awaitMails(2);
        awaitCaughtUp();

        JsonNode dryRun = replay("{\"topic\":\"orders\",\"from\":\"P1D\"}", 200);

        assertThat(dryRun.get("olderThanRetained").asBoolean()).isTrue();
        assertThat(dryRun.get("outcome").asString())
                .contains("Kafka no longer holds every event from")
                .contains("events before it are gone and cannot be replayed");
        JsonNode holding = StreamSupport.stream(dryRun.get("partitions").spliterator(), false)
                .filter(partition -> !partition.get("firstRetainedAt").isNull())
                .findFirst()
                .orElseThrow();
        assertThat(holding.get("firstRetainedOffset").asLong()).isPositive();
        assertThat(Instant.parse(holding.get("firstRetainedAt").asString())).isAfterOrEqualTo(kept.minusSeconds(1));
        assertThat(dryRun.get("retention").asString()).startsWith("P");

        // from a time after the oldest event still held: nothing it would read is gone
        JsonNode recent = replay("{\"topic\":\"orders\",\"from\":\"" + Instant.now() + "\"}", 200);
        assertThat(recent.get("olderThanRetained").asBoolean()).isFalse();
        assertThat(recent.get("outcome").asString()).doesNotContain("further back");

        JsonNode beyond = replay("{\"topic\":\"orders\",\"from\":\"P400D\"}", 200);
        assertThat(beyond.get("olderThanRetained").asBoolean()).isTrue();
        assertThat(beyond.get("outcome").asString())
                .contains(
                        "the topic keeps events for " + beyond.get("retention").asString())
                .contains("on partition(s) " + holding.get("partition").asInt() + " it has deleted events");
        assertThat(recent.get("outcome").asString()).doesNotContain("no longer holds");
    }

    @Test
    void theDeadLetterTopicItCreatesKeepsEventsForAYear() throws Exception {
        ConfigResource deadLetters = new ConfigResource(ConfigResource.Type.TOPIC, "orders.mail-service.dlt");
        assertThat(admin.describeConfigs(List.of(deadLetters))
                        .all()
                        .get()
                        .get(deadLetters)
                        .get("retention.ms")
                        .value())
                .isEqualTo(Long.toString(Duration.ofDays(365).toMillis()));
    }

    @Test
    void replayWithoutReprocessRereadsButSendsNothingTwice() throws Exception {
        placeOrder();
        awaitMails(1);
        awaitCaughtUp();

        JsonNode executed = replay("{\"topic\":\"orders\",\"from\":\"earliest\",\"execute\":true}", 200);

        assertThat(executed.get("events").asLong()).isPositive();
        assertThat(executed.get("effectsRedone").isNull()).isTrue();
        awaitCaughtUp();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> mails().size() == 1);
    }

    @Test
    void refusesToResetWhileAnotherInstanceConsumesAndKeepsConsuming() throws Exception {
        try (KafkaConsumer<String, String> otherInstance = new KafkaConsumer<>(
                // it only joins the group: it must never commit a position for mail-service
                Map.of("bootstrap.servers", servers(), "group.id", "mail-service", "enable.auto.commit", false),
                new StringDeserializer(),
                new StringDeserializer())) {
            otherInstance.subscribe(List.of(Topics.ORDERS));
            // a member of the group, with or without partitions (the service's own consumers may hold them all)
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                otherInstance.poll(Duration.ofMillis(100));
                return otherInstance.groupMetadata().generationId() > 0;
            });
            Map<TopicPartition, OffsetAndMetadata> offsets = committed("mail-service");

            JsonNode refused = replay("{\"topic\":\"orders\",\"from\":\"earliest\",\"execute\":true}", 409);

            assertThat(refused.get("detail").asString()).contains("live member");
            assertThat(committed("mail-service")).isEqualTo(offsets);
        }
        placeOrder();
        awaitMails(1);
    }

    @Test
    void badRequestsAreRefusedClearly() throws Exception {
        assertThat(post("{\"topic\":\"orders\",\"from\":\"earliest\"}", null).statusCode())
                .isEqualTo(401);
        assertThat(post("{\"topic\":\"orders\",\"from\":\"earliest\"}", "admin:wrong")
                        .statusCode())
                .isEqualTo(401);
        assertThat(replay("{\"topic\":\"orders\",\"from\":\"last tuesday\"}", 400)
                        .get("detail")
                        .asString())
                .contains("from:");
        assertThat(replay("{\"topic\":\"stock\",\"from\":\"earliest\"}", 400)
                        .get("detail")
                        .asString())
                .contains("mail-service consumes [orders]");
        assertThat(replay("{\"from\":\"earliest\"}", 400).get("detail").asString())
                .contains("topic: required");
    }

    private JsonNode replay(String body, int expectedStatus) throws Exception {
        HttpResponse<String> response = post(body, ADMIN_CREDENTIALS);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> post(String body, String credentials) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://localhost:" + adminPort + "/admin/replay"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (credentials != null) {
            request.header("Authorization", basic(credentials));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Gives another group a committed position, as stock-service would have, to show replay leaves it alone. */
    private Map<TopicPartition, OffsetAndMetadata> pinOtherGroupAtTheEnd() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
        ends().forEach((partition, end) -> ends.put(partition, new OffsetAndMetadata(end)));
        admin.alterConsumerGroupOffsets(OTHER_GROUP, ends).all().get();
        return committed(OTHER_GROUP);
    }

    private Map<TopicPartition, OffsetAndMetadata> committed(String group) throws Exception {
        return admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get();
    }

    /** mail-service has committed everything on the topic. */
    private void awaitCaughtUp() {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Map<TopicPartition, OffsetAndMetadata> committed = committed("mail-service");
            return ends().entrySet().stream()
                    .allMatch(end -> end.getValue() == 0
                            || (committed.containsKey(end.getKey())
                                    && committed.get(end.getKey()).offset() == end.getValue()));
        });
    }

    private Map<TopicPartition, Long> ends() throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int partition = 0; partition < 3; partition++) {
            latest.put(new TopicPartition(Topics.ORDERS, partition), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get().forEach((partition, info) -> ends.put(partition, info.offset()));
        return ends;
    }
}
