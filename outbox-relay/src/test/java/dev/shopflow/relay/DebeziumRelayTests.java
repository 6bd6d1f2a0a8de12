package dev.shopflow.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shopflow.outbox.OutboxSchema;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** The relay's engine on Debezium's real PostgreSQL connector, against a real PostgreSQL with logical decoding. */
class DebeziumRelayTests {

    static final PostgreSQLContainer postgres =
            new PostgreSQLContainer("postgres:17").withCommand("postgres", "-c", "wal_level=logical");
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

    @Test
    void anInvalidDebeziumSettingStopsTheEngineWithDebeziumsMessageNamingIt() {
        RelayProperties properties = RelaySettingsTests.properties(Map.of("decimal.handling.mode", "sometimes"));
        PostgresCoordinates database = PostgresCoordinatesTests.coordinates(postgres);
        SlotMonitor slot = new SlotMonitor(jdbc, properties.slotName());
        RelayMetrics metrics =
                new RelayMetrics(new SimpleMeterRegistry(), new RelayLeadership(properties, database), slot);
        DebeziumRelay relay = new DebeziumRelay(
                properties,
                database,
                MockProducer::new,
                "localhost:9092",
                metrics,
                new OffsetCheck(jdbc, slot, properties.slotName(), metrics),
                new ParkedEvents(jdbc));
        try {
            relay.start();

            await().atMost(Duration.ofSeconds(60)).until(() -> !relay.isRunning());
            assertThat(metrics.lastError())
                    .contains("Connector configuration is not valid")
                    .contains("'decimal.handling.mode' value is invalid")
                    .doesNotContain("NoSuchMethodError");
        } finally {
            relay.stop();
        }
    }
}
