package dev.shopflow.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shopflow.events.EventHeaders;
import dev.shopflow.outbox.OutboxSchema;
import dev.shopflow.testsupport.Containers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The relay across a PostgreSQL 17 failover: a primary, a hot standby that synchronises the relay's failover slot,
 * one Kafka, and the relay as a service runs it (leadership, engine, sink) given the multi-host JDBC URL. The
 * primary stops, the standby is promoted, and the relay carries on from the synchronised slot.
 */
class FailoverSlotTests {

    static final String SLOT = "failover_relay";
    static final String STANDBY_SLOT = "standby_1";
    static final String TOPIC = "failover-orders";

    static final Network network = Network.newNetwork();
    // the primary makes the relay's walsender wait for the standby: the relay never gets a change the standby
    // could lose in a failover, and the synchronised slot never points past what the standby has
    static final PostgreSQLContainer primary = Containers.relayPostgres("synchronized_standby_slots=" + STANDBY_SLOT)
            .withNetwork(network)
            .withNetworkAliases("pg-primary");
    static final KafkaContainer kafka = Containers.kafka().withNetwork(network);
    static GenericContainer<?> standby;

    @BeforeAll
    static void start() throws Exception {
        Startables.deepStart(primary, kafka).join();
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        }
        OutboxSchema.migrate(new SimpleDriverDataSource(
                new org.postgresql.Driver(), primary.getJdbcUrl(), primary.getUsername(), primary.getPassword()));
        Containers.acceptStandby(primary, STANDBY_SLOT);
        standby = Containers.relayStandby(primary, "pg-primary", STANDBY_SLOT).withNetwork(network);
        standby.start();
    }

    @AfterAll
    static void stop() {
        if (standby != null) {
            standby.stop();
        }
        primary.stop();
        kafka.stop();
        network.close();
    }

    @Test
    void theRelayResumesOnThePromotedStandbyFromTheSynchronisedSlotWithoutReReadingTheOutbox() {
        JdbcClient onPrimary = jdbc(primary.getJdbcUrl());
        JdbcClient onStandby = jdbc(standbyUrl());
        String url = "jdbc:postgresql://%s:%d,%s:%d/%s?targetServerType=primary"
                .formatted(
                        primary.getHost(),
                        primary.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT),
                        standby.getHost(),
                        standby.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT),
                        primary.getDatabaseName());
        Relay relay = new Relay(url);
        try (KafkaConsumer<String, String> consumer = consumer()) {
            relay.leadership.start();
            List<String> before = insert(onPrimary, 20);
            List<ConsumerRecord<String, String>> received = new ArrayList<>();
            awaitIds(consumer, received, before, Duration.ofSeconds(90));

            assertThat(onPrimary
                            .sql("select failover from pg_replication_slots where slot_name = ?")
                            .param(SLOT)
                            .query(Boolean.class)
                            .single())
                    .as("the relay's slot on the primary is a failover slot")
                    .isTrue();
            // the slot sync worker copies the slot at its own pace; wait until the copy has passed the events so
            // far (a slot not yet persisted on the standby, temporary, would be dropped at promotion)
            String relayedUpTo = onPrimary
                    .sql("select pg_current_wal_lsn()::text")
                    .query(String.class)
                    .single();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> onStandby
                            .sql("""
                                    select count(*) = 1 from pg_replication_slots
                                    where slot_name = :slot and synced and not temporary
                                      and confirmed_flush_lsn >= cast(:lsn as pg_lsn)""")
                            .param("slot", SLOT)
                            .param("lsn", relayedUpTo)
                            .query(Boolean.class)
                            .single());
            double snapshotsBefore = relay.metrics.snapshots();

            // written just before the primary goes: the relay may or may not have sent them when it stops
            List<String> tail = insert(onPrimary, 10);
            primary.getDockerClient()
                    .stopContainerCmd(primary.getContainerId())
                    .withTimeout(30)
                    .exec();
            Instant promoted = Instant.now();
            assertThat(onStandby.sql("select pg_promote()").query(Boolean.class).single())
                    .isTrue();
            List<String> after = insert(onStandby, 20);

            List<String> all =
                    Stream.of(before, tail, after).flatMap(List::stream).toList();
            awaitIds(consumer, received, all, Duration.ofSeconds(120));

            Instant firstAfter = received.stream()
                    .filter(record -> after.contains(eventId(record)))
                    .map(record -> Instant.ofEpochMilli(record.timestamp()))
                    .min(Instant::compareTo)
                    .orElseThrow();
            Map<String, Long> copies =
                    received.stream().collect(Collectors.groupingBy(FailoverSlotTests::eventId, Collectors.counting()));
            Set<String> duplicated = copies.entrySet().stream()
                    .filter(entry -> entry.getValue() > 1)
                    .map(Map.Entry::getKey)
                    .collect(Collectors.toSet());
            System.out.printf(
                    "failover: first event written on the promoted standby relayed %d ms after pg_promote(); %d of %d"
                            + " events relayed twice%n",
                    Duration.between(promoted, firstAfter).toMillis(), duplicated.size(), all.size());

            assertThat(received).extracting(FailoverSlotTests::eventId).containsAll(all);
            assertThat(relay.metrics.snapshots())
                    .as("no re-read of the outbox across the failover")
                    .isEqualTo(snapshotsBefore);
            assertThat(relay.metrics.primary())
                    .isEqualTo("%s:%d"
                            .formatted(standby.getHost(), standby.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT)));
            // The relay resumes from the last offset it stored on the old primary, which the standby has (the
            // primary shut down cleanly, so every WAL record reached it). An event is sent twice when Kafka
            // acknowledged it after that offset: of the tail, written just before the primary stopped, whose
            // offset the relay could no longer store (every offset-flush-interval, 1 s; the shutting-down server
            // refuses it). The events before the tail are behind the synchronised slot, and so behind the stored
            // offset (the relay confirms a position to the slot only after storing it): never sent twice.
            assertThat(tail).as("events relayed twice are of the tail").containsAll(duplicated);
            assertThat(copies.values()).as("copies of any one event").allMatch(count -> count <= 2);
        } finally {
            relay.leadership.stop();
        }
    }

    /** The relay, wired as RelayAutoConfiguration wires it, on the multi-host URL. */
    private static final class Relay {

        final RelayLeadership leadership;
        final RelayMetrics metrics;

        Relay(String url) {
            RelayProperties properties = new RelayProperties(
                    true,
                    SLOT,
                    Duration.ofMillis(50),
                    2048,
                    Duration.ofSeconds(1),
                    // heartbeats move the slot on, and so give the standby's slot sync something to copy
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(1),
                    Duration.ofMillis(100),
                    Duration.ofSeconds(5),
                    Duration.ofHours(1),
                    true,
                    Map.of());
            PostgresCoordinates database = PostgresCoordinates.parse(url, primary.getUsername(), primary.getPassword());
            JdbcClient jdbc = jdbc(url);
            SlotMonitor slot = new SlotMonitor(jdbc, SLOT);
            leadership = new RelayLeadership(properties, database);
            metrics = new RelayMetrics(new SimpleMeterRegistry(), leadership, slot);
            DebeziumRelay relay = new DebeziumRelay(
                    properties,
                    new EngineSettings(properties, database, kafka.getBootstrapServers()),
                    RelayProducer.of(new DefaultKafkaProducerFactory<>(
                            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers()))),
                    metrics,
                    new OffsetCheck(jdbc, slot, SLOT, metrics),
                    new ParkedEvents(jdbc),
                    RelayTracing.NONE);
            leadership.manage(relay, new OutboxRetention(jdbc, properties.retention(), metrics));
        }
    }

    private static void awaitIds(
            KafkaConsumer<String, String> consumer,
            List<ConsumerRecord<String, String>> received,
            List<String> ids,
            Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
            consumer.poll(Duration.ofMillis(500)).forEach(received::add);
            return received.stream()
                    .map(FailoverSlotTests::eventId)
                    .collect(Collectors.toSet())
                    .containsAll(ids);
        });
    }

    private static List<String> insert(JdbcClient jdbc, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            UUID id = UUID.randomUUID();
            jdbc.sql("""
                            insert into outbox (id, aggregatetype, aggregateid, type, schema_version, payload, timestamp)
                            values (:id, :topic, :orderId, 'OrderPlaced', 1, '{}', now())""")
                    .param("id", id)
                    .param("topic", TOPIC)
                    .param("orderId", "o-" + (i % 3))
                    .update();
            ids.add(id.toString());
        }
        return ids;
    }

    private static KafkaConsumer<String, String> consumer() {
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.getBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "failover-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class));
        consumer.subscribe(List.of(TOPIC));
        return consumer;
    }

    private static String eventId(ConsumerRecord<String, String> record) {
        return new String(record.headers().lastHeader(EventHeaders.EVENT_ID).value(), StandardCharsets.UTF_8);
    }

    private static String standbyUrl() {
        return "jdbc:postgresql://%s:%d/%s"
                .formatted(
                        standby.getHost(),
                        standby.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT),
                        primary.getDatabaseName());
    }

    private static JdbcClient jdbc(String url) {
        return JdbcClient.create(new SimpleDriverDataSource(
                new org.postgresql.Driver(), url, primary.getUsername(), primary.getPassword()));
    }
}
