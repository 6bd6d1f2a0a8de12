package dev.shopflow.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.shopflow.events.EventHeaders;
import dev.shopflow.outbox.OutboxSchema;
import dev.shopflow.testsupport.Containers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** The relay's engine on Debezium's real PostgreSQL connector, against a real PostgreSQL with logical decoding. */
class DebeziumRelayTests {

    static final PostgreSQLContainer postgres = Containers.relayPostgres();
    static JdbcClient jdbc;

    @BeforeAll
    static void start() {
        postgres.start();
        SimpleDriverDataSource dataSource = new SimpleDriverDataSource(
                new org.postgresql.Driver(), postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword());
        OutboxSchema.migrate(dataSource);
        jdbc = JdbcClient.create(dataSource);
    }

    @AfterAll
    static void stop() {
        postgres.stop();
    }

    /**
     * The JDBC offset store (debezium-storage-jdbc 3.5.0, the newest published) on the 3.6 engine: a relay stopped
     * and started again resumes from the position it stored, so it sends only what is new.
     */
    @Test
    void aRestartedRelayResumesFromTheStoredPositionAndSendsOnlyWhatIsNew() {
        RelayProperties properties = RelaySettingsTests.properties("resume_test", Map.of());
        List<String> first = List.of(insertOutboxRow(), insertOutboxRow(), insertOutboxRow());
        MockProducer<byte[], byte[]> before = sending();
        run(properties, before, running -> {
            await().atMost(Duration.ofSeconds(60)).until(() -> sentIds(before).containsAll(first));
            assertThat(running.metrics().snapshots())
                    .as("the first start reads the table")
                    .isEqualTo(1);
        });
        assertThat(jdbc.sql("select offset_val from " + EngineSettings.OFFSET_TABLE)
                        .query(String.class)
                        .list())
                .anyMatch(offset -> offset.contains("lsn"));

        String later = insertOutboxRow();
        MockProducer<byte[], byte[]> after = sending();
        run(properties, after, running -> {
            await().atMost(Duration.ofSeconds(60)).until(() -> sentIds(after).contains(later));
            assertThat(running.metrics().snapshots())
                    .as("a resumed relay reads nothing afresh")
                    .isZero();
        });

        assertThat(sentIds(after)).containsExactly(later);
    }

    /**
     * The slot the relay creates is a failover slot (PostgreSQL 17); one created before as a plain slot is told
     * apart, which the start-up warning rests on.
     */
    @Test
    void theRelayCreatesAFailoverSlotAndAPlainSlotIsToldApart() {
        RelayProperties properties = RelaySettingsTests.properties("failover_test", Map.of());
        String row = insertOutboxRow();
        MockProducer<byte[], byte[]> producer = sending();
        run(
                properties,
                producer,
                running -> await().atMost(Duration.ofSeconds(60))
                        .until(() -> sentIds(producer).contains(row)));
        assertThat(new SlotMonitor(jdbc, "failover_test").failover()).contains(true);

        jdbc.sql("select pg_create_logical_replication_slot('plain_slot', 'pgoutput')")
                .query()
                .singleRow();
        try {
            assertThat(new SlotMonitor(jdbc, "plain_slot").failover()).contains(false);
            assertThat(new SlotMonitor(jdbc, "no_such_slot").failover()).isEmpty();
        } finally {
            jdbc.sql("select pg_drop_replication_slot('plain_slot')").query().singleRow();
        }
    }

    /** A relay on the test database, with the metrics it reports to. */
    private record Running(DebeziumRelay relay, RelayMetrics metrics, OffsetCheck offsetCheck) {}

    /**
     * The slot confirmed changes this relay has no record of sending (offsets restored from an old backup, another
     * relay on the slot): starting would skip them. The relay refuses to start and says what an operator can do.
     */
    @Test
    void aSlotAheadOfTheStoredOffsetKeepsTheRelayStoppedAndSaysWhatToDo() {
        RelayProperties properties = RelaySettingsTests.properties("ahead_test", Map.of());
        String first = insertOutboxRow();
        MockProducer<byte[], byte[]> before = sending();
        run(
                properties,
                before,
                running -> await().atMost(Duration.ofSeconds(60))
                        .until(() -> sentIds(before).contains(first)));
        String skipped = insertOutboxRow();
        await().until(() -> jdbc.sql("select not active from pg_replication_slots where slot_name = 'ahead_test'")
                .query(Boolean.class)
                .single());
        jdbc.sql("select pg_replication_slot_advance('ahead_test', pg_current_wal_lsn())")
                .query()
                .listOfRows();

        MockProducer<byte[], byte[]> after = sending();
        Running relay = relay(properties, after);
        try {
            assertThatThrownBy(relay.relay()::start)
                    .hasMessageContaining("ahead of the stored offset")
                    .hasMessageContaining("select pg_drop_replication_slot('ahead_test')");
            assertThat(relay.relay().isRunning()).isFalse();
            assertThat(relay.offsetCheck().problem())
                    .hasValueSatisfying(problem -> assertThat(problem).contains("the relay stays stopped"));
            assertThat(sentIds(after)).doesNotContain(skipped);
        } finally {
            relay.relay().stop();
        }
    }

    /**
     * A re-read (first start, or a lost slot) sends the outbox in the order its rows were written, not in the
     * order they lie in the table: here the later event of an order sits first.
     */
    @Test
    void aReReadSendsEachOrdersEventsInTheOrderTheyWereWritten() {
        String later = insertOutboxRow("o-reread", "now()");
        String earlier = insertOutboxRow("o-reread", "now() - interval '1 minute'");
        RelayProperties properties = RelaySettingsTests.properties("reread_order_test", Map.of());
        MockProducer<byte[], byte[]> producer = sending();

        run(
                properties,
                producer,
                running -> await().atMost(Duration.ofSeconds(60))
                        .until(() -> sentIds(producer).containsAll(List.of(earlier, later))));

        assertThat(sentIds(producer)).containsSubsequence(earlier, later);
    }

    /** Starts a relay, runs {@code whileRunning}, and stops it (which stores the position it reached). */
    private static void run(
            RelayProperties properties, MockProducer<byte[], byte[]> producer, Consumer<Running> whileRunning) {
        Running running = relay(properties, producer);
        try {
            running.relay().start();
            whileRunning.accept(running);
        } finally {
            running.relay().stop();
        }
    }

    /** A relay on the test database, not started. */
    private static Running relay(RelayProperties properties, MockProducer<byte[], byte[]> producer) {
        PostgresCoordinates database = PostgresCoordinatesTests.coordinates(postgres);
        SlotMonitor slot = new SlotMonitor(jdbc, properties.slotName());
        RelayMetrics metrics =
                new RelayMetrics(new SimpleMeterRegistry(), new RelayLeadership(properties, database), slot);
        OffsetCheck offsetCheck = new OffsetCheck(jdbc, slot, properties.slotName(), metrics);
        DebeziumRelay relay = new DebeziumRelay(
                properties,
                new EngineSettings(properties, database, "localhost:9092"),
                RelayProducerTests.making(() -> producer),
                metrics,
                offsetCheck,
                new ParkedEvents(jdbc),
                RelayTracing.NONE);
        return new Running(relay, metrics, offsetCheck);
    }

    private static MockProducer<byte[], byte[]> sending() {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static List<String> sentIds(MockProducer<byte[], byte[]> producer) {
        return producer.history().stream()
                .map(record -> new String(
                        record.headers().lastHeader(EventHeaders.EVENT_ID).value(), StandardCharsets.UTF_8))
                .toList();
    }

    private static String insertOutboxRow() {
        return insertOutboxRow("o-1", "now()");
    }

    private static String insertOutboxRow(String orderId, String timestamp) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        insert into outbox (id, aggregatetype, aggregateid, type, schema_version, payload, timestamp)
                        values (:id, 'orders', :orderId, 'OrderPlaced', 1, '{}', %s)""".formatted(timestamp))
                .param("id", id)
                .param("orderId", orderId)
                .update();
        return id.toString();
    }

    @Test
    void anInvalidDebeziumSettingStopsTheEngineWithDebeziumsMessageNamingIt() {
        RelayProperties properties = RelaySettingsTests.properties(Map.of("decimal.handling.mode", "sometimes"));

        run(properties, sending(), running -> {
            await().atMost(Duration.ofSeconds(60)).until(() -> !running.relay().isRunning());
            assertThat(running.metrics().lastError())
                    .contains("Connector configuration is not valid")
                    .contains("'decimal.handling.mode' value is invalid")
                    .doesNotContain("NoSuchMethodError");
        });
    }
}
