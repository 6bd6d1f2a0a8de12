package dev.shopflow.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shopflow.consumer.EventConsumerAutoConfiguration;
import dev.shopflow.events.EventJson;
import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.events.StockReserved;
import dev.shopflow.events.Topics;
import dev.shopflow.testsupport.RelayedRecord;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;

/** stock-service as a consumer of real Kafka records, in its own group, with its own relay publishing results. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "shopflow.admin.password=s3cret",
            // an unclassified failure is dead-lettered after one quick retry, so a test sees at once which
            // failures are (wrongly) treated as such
            "shopflow.kafka.retry.attempts=1",
            "shopflow.kafka.retry.initial-interval=100ms",
            "shopflow.kafka.retry.max-interval=400ms"
        })
@Import(ContainersConfig.class)
class OrderEventsListenerTests {

    private static final String DEAD_LETTERS =
            EventConsumerAutoConfiguration.deadLetterTopic(Topics.ORDERS, "stock-service");

    @Autowired
    JdbcClient jdbc;

    @Autowired
    KafkaConnectionDetails kafka;

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    @Value("${local.admin.port}")
    int adminPort;

    KafkaProducer<String, String> producer;

    @BeforeEach
    void setUp() {
        String servers = String.join(",", kafka.getBootstrapServers());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
            List<NewTopic> topics = new ArrayList<>();
            for (String topic : List.of(Topics.ORDERS, Topics.STOCK, DEAD_LETTERS)) {
                topics.add(new NewTopic(topic, 3, (short) 1));
            }
            admin.createTopics(topics).values().values().forEach(f -> {
                try {
                    f.get();
                } catch (Exception alreadyExists) {
                    // created by an earlier test
                }
            });
        }
        producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", servers), new StringSerializer(), new StringSerializer());
        jdbc.sql("update products set available = 10 where id = 'SKU-3003'").update();
    }

    @AfterEach
    void closeProducer() {
        producer.close();
    }

    @Test
    void aPlacedOrderReservesStockOnceEvenWhenDeliveredTwiceAndStockReservedIsRelayed() throws Exception {
        OrderPlaced order = order("SKU-3003", 4);

        send(RelayedRecord.of(order));
        send(RelayedRecord.of(order));

        await().atMost(Duration.ofSeconds(60)).until(() -> available("SKU-3003") == 6);
        List<ConsumerRecord<String, String>> stock =
                readUntil(Topics.STOCK, r -> order.orderId().toString().equals(r.key()));
        assertThat(header(stock.getLast(), "eventType")).isEqualTo("StockReserved");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> available("SKU-3003") == 6);
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicAndLaterRecordsAreStillProcessed() throws Exception {
        OrderPlaced order = order("SKU-3003", 1);
        String key = order.orderId().toString();

        send(RelayedRecord.of(order).value("{not json").eventId(UUID.randomUUID()));
        send(RelayedRecord.of(order).schemaVersion("7").eventId(UUID.randomUUID()));
        send(RelayedRecord.of(order).eventType("OrderShipped").value("{}").eventId(UUID.randomUUID()));
        send(RelayedRecord.of(order));

        await().atMost(Duration.ofSeconds(60)).until(() -> available("SKU-3003") == 9);
        List<ConsumerRecord<String, String>> dead = readUntil(DEAD_LETTERS, r -> key.equals(r.key()), 3);
        assertThat(dead).extracting(ConsumerRecord::value).contains("{not json", "{}");
        assertThat(dead).allSatisfy(r -> {
            assertThat(header(r, "kafka_dlt-original-topic")).isEqualTo(Topics.ORDERS);
            assertThat(header(r, "kafka_dlt-exception-fqcn")).isNotBlank();
            assertThat(header(r, "eventId")).isNotBlank();
        });
    }

    /**
     * Errors that say "not now" (a database made read-only by a switchover, a serialization failure, too many
     * connections, a server shutting down, a lost connection) are retried until they pass, however long: the
     * order is reserved once afterwards and never dead-lettered. A trigger raises the SQLSTATE on every
     * reservation; a sequence (not rolled back) counts the attempts.
     */
    @ParameterizedTest(name = "SQLSTATE {0}")
    @ValueSource(strings = {"25006", "40001", "40P01", "53300", "57P01", "08006"})
    void databaseErrorsThatPassAreRetriedUntilTheyDo(String sqlState) throws Exception {
        jdbc.sql("create sequence failed_attempts").update();
        jdbc.sql("""
                        create function fail_reservation() returns trigger language plpgsql as $$
                        begin
                          perform nextval('failed_attempts');
                          raise exception 'simulated failure' using errcode = '%s';
                        end $$""".formatted(sqlState)).update();
        jdbc.sql("create trigger fail_reservation before insert on reservations "
                        + "for each row execute function fail_reservation()")
                .update();
        OrderPlaced order = order("SKU-3003", 2);
        try {
            send(RelayedRecord.of(order));

            // more attempts than shopflow.kafka.retry.attempts allows for a failure that is not transient
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> jdbc.sql("select last_value from failed_attempts")
                                    .query(Long.class)
                                    .single()
                            >= 4);
        } finally {
            jdbc.sql("drop trigger fail_reservation on reservations").update();
            jdbc.sql("drop function fail_reservation()").update();
            jdbc.sql("drop sequence failed_attempts").update();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> reservations(order.orderId()) == 1);
        assertThat(available("SKU-3003")).isEqualTo(8);
    }

    /**
     * Records that arrive while the service is stopped come back as one poll batch, handled in one transaction:
     * a poison record and a stock event on the wrong topic in the middle of it go to the dead-letter topic, and
     * the orders before and after them are each reserved once.
     */
    @Test
    void oneBatchWithBadRecordsInTheMiddleReservesEveryGoodOrderOnce() throws Exception {
        String key = UUID.randomUUID().toString(); // one key: one partition, in this order
        OrderPlaced first = order("SKU-3003", 1);
        OrderPlaced second = order("SKU-3003", 2);
        OrderPlaced third = order("SKU-3003", 3);
        StockReserved misrouted = new StockReserved(
                UUID.randomUUID(),
                first.orderId(),
                Instant.now(),
                List.of(new StockReserved.ReservedLine("SKU-3003", 1)));

        listeners.stop();
        try {
            send(RelayedRecord.of(first).key(key));
            send(RelayedRecord.of(first).key(key).value("{not json").eventId(UUID.randomUUID()));
            send(RelayedRecord.of(second).key(key));
            send(RelayedRecord.of(misrouted).topic(Topics.ORDERS).key(key));
            send(RelayedRecord.of(third).key(key));
            send(RelayedRecord.of(first).key(key));
        } finally {
            listeners.start();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> available("SKU-3003") == 4);
        List<ConsumerRecord<String, String>> dead = readUntil(DEAD_LETTERS, r -> key.equals(r.key()), 2);
        assertThat(dead).extracting(ConsumerRecord::value).contains("{not json", new EventJson().write(misrouted));
        assertThat(Stream.of(first, second, third).map(order -> reservations(order.orderId())))
                .containsExactly(1L, 1L, 1L);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> available("SKU-3003") == 4);
    }

    /**
     * A replay the Kafka way: with the consumer stopped, the group's offsets are reset to the earliest (what
     * {@code kafka-consumer-groups.sh --reset-offsets --to-earliest --execute} does) and the consumer restarts.
     * Everything is read again; what was processed before has no second effect.
     */
    @Test
    void replayingTheTopicFromTheStartReservesNothingTwice() throws Exception {
        OrderPlaced order = order("SKU-3003", 2);
        send(RelayedRecord.of(order));
        await().atMost(Duration.ofSeconds(60)).until(() -> available("SKU-3003") == 8);

        listeners.stop();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", String.join(",", kafka.getBootstrapServers())))) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> admin.describeConsumerGroups(List.of("stock-service"))
                            .all()
                            .get()
                            .get("stock-service")
                            .members()
                            .isEmpty());
            Map<TopicPartition, OffsetAndMetadata> earliest = new HashMap<>();
            for (TopicPartition partition : ordersPartitions(admin)) {
                earliest.put(partition, new OffsetAndMetadata(0));
            }
            admin.alterConsumerGroupOffsets("stock-service", earliest).all().get();
            listeners.start();

            await().atMost(Duration.ofSeconds(60)).until(() -> caughtUp(admin));
        } finally {
            listeners.start();
        }
        assertThat(available("SKU-3003")).isEqualTo(8);
        assertThat(reservations(order.orderId())).isOne();
    }

    /**
     * Running N instances of the service splits the partitions of {@code orders} between them. This instance runs
     * one consumer per partition; the range assignor hands partitions to members in member-id order, so the second
     * instance's client id is chosen to sort first and it is sure to be given one.
     */
    @Test
    void aSecondInstanceInTheGroupTakesSomeOfThePartitions() {
        try (KafkaConsumer<String, String> secondInstance = new KafkaConsumer<>(
                // it only joins the group: it must never commit a position for stock-service
                Map.of(
                        "bootstrap.servers",
                        String.join(",", kafka.getBootstrapServers()),
                        "group.id",
                        "stock-service",
                        "client.id",
                        "a-second-instance",
                        "enable.auto.commit",
                        false),
                new StringDeserializer(),
                new StringDeserializer())) {
            secondInstance.subscribe(List.of(Topics.ORDERS));

            await().atMost(Duration.ofSeconds(60)).until(() -> {
                secondInstance.poll(Duration.ofMillis(100));
                List<TopicPartition> ours = ordersAssignedToThisInstance();
                return !ours.isEmpty()
                        && !secondInstance.assignment().isEmpty()
                        && ours.size() + secondInstance.assignment().size() == 3
                        && ours.stream().noneMatch(secondInstance.assignment()::contains);
            });
        }
        await().atMost(Duration.ofSeconds(60))
                .until(() -> ordersAssignedToThisInstance().size() == 3);
    }

    private List<TopicPartition> ordersAssignedToThisInstance() {
        return listeners.getListenerContainers().stream()
                .flatMap(container -> container.getAssignedPartitions() == null
                        ? Stream.<TopicPartition>empty()
                        : container.getAssignedPartitions().stream())
                .filter(partition -> partition.topic().equals(Topics.ORDERS))
                .toList();
    }

    /** The project's own replay: it pauses the listeners itself; stock-service never reprocesses. */
    @Test
    void theAdminReplayRereadsWithoutReservingTwiceAndRefusesToReprocess() throws Exception {
        OrderPlaced order = order("SKU-3003", 2);
        send(RelayedRecord.of(order));
        await().atMost(Duration.ofSeconds(60)).until(() -> available("SKU-3003") == 8);

        HttpResponse<String> refused =
                replay("{\"topic\":\"orders\",\"from\":\"earliest\",\"execute\":true," + "\"reprocess\":true}");
        HttpResponse<String> replayed = replay("{\"topic\":\"orders\",\"from\":\"earliest\",\"execute\":true}");

        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.body()).contains("stock-service does not reprocess: its effects must happen exactly once");
        assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(200);
        assertThat(replayed.body()).contains("\"executed\":true", "events already processed are skipped");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", String.join(",", kafka.getBootstrapServers())))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> caughtUp(admin));
        }
        assertThat(available("SKU-3003")).isEqualTo(8);
        assertThat(reservations(order.orderId())).isOne();
    }

    private HttpResponse<String> replay(String body) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + adminPort + "/admin/replay"))
                                .header("Content-Type", "application/json")
                                .header(
                                        "Authorization",
                                        "Basic "
                                                + Base64.getEncoder()
                                                        .encodeToString(
                                                                "admin:s3cret".getBytes(StandardCharsets.UTF_8)))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private static List<TopicPartition> ordersPartitions(Admin admin) throws Exception {
        return admin
                .describeTopics(List.of(Topics.ORDERS))
                .allTopicNames()
                .get()
                .get(Topics.ORDERS)
                .partitions()
                .stream()
                .map(info -> new TopicPartition(Topics.ORDERS, info.partition()))
                .toList();
    }

    private boolean caughtUp(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("stock-service")
                .partitionsToOffsetAndMetadata()
                .get();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicPartition partition : ordersPartitions(admin)) {
            latest.put(partition, OffsetSpec.latest());
        }
        return admin.listOffsets(latest).all().get().entrySet().stream()
                .allMatch(end -> committed.containsKey(end.getKey())
                        && committed.get(end.getKey()).offset()
                                >= end.getValue().offset());
    }

    private void send(RelayedRecord record) throws Exception {
        producer.send(record.producerRecord()).get();
    }

    private List<ConsumerRecord<String, String>> readUntil(
            String topic, java.util.function.Predicate<ConsumerRecord<String, String>> wanted) {
        return readUntil(topic, wanted, 1);
    }

    private List<ConsumerRecord<String, String>> readUntil(
            String topic, java.util.function.Predicate<ConsumerRecord<String, String>> wanted, int count) {
        List<ConsumerRecord<String, String>> matching = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                Map.of("bootstrap.servers", String.join(",", kafka.getBootstrapServers())),
                new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (wanted.test(r)) {
                        matching.add(r);
                    }
                });
                return matching.size() >= count;
            });
        }
        return matching;
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static OrderPlaced order(String product, int quantity) {
        return new OrderPlaced(
                UUID.randomUUID(),
                UUID.randomUUID(),
                Instant.now(),
                "c",
                "a@example.com",
                List.of(new OrderLine(product, quantity, BigDecimal.ONE)),
                BigDecimal.ONE);
    }

    private int available(String product) {
        return jdbc.sql("select available from products where id = :id")
                .param("id", product)
                .query(Integer.class)
                .single();
    }

    private long reservations(UUID orderId) {
        return jdbc.sql("select count(*) from reservations where order_id = :id")
                .param("id", orderId)
                .query(Long.class)
                .single();
    }
}
