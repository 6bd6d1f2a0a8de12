package dev.shopflow.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** What the relay hands Debezium, from the application's settings (its producer's: {@link RelayProducerTests}). */
class RelaySettingsTests {

    static final PostgresCoordinates DATABASE = new PostgresCoordinates(
            "jdbc:postgresql://db.internal:5433/orders?sslmode=verify-full&sslrootcert=%2Fcerts%2Froot.crt"
                    + "&options=-c%20statement_timeout%3D0",
            "db.internal", 5433, "orders", "orders", "secret");

    static RelayProperties properties(Map<String, String> debezium) {
        return properties("orders_service", debezium);
    }

    /** The relay's defaults (as {@code shopflow.outbox.relay.*} binds them) for a slot. */
    static RelayProperties properties(String slotName, Map<String, String> debezium) {
        return new RelayProperties(
                true,
                slotName,
                Duration.ofMillis(50),
                2048,
                Duration.ofSeconds(1),
                Duration.ofSeconds(10),
                Duration.ofSeconds(2),
                Duration.ofMillis(100),
                Duration.ofSeconds(5),
                Duration.ofHours(1),
                debezium);
    }

    static Properties engine(RelayProperties properties, PostgresCoordinates database) {
        return new EngineSettings(properties, database, "kafka:9092").properties();
    }

    @Test
    void theJdbcUrlsParametersReachDebeziumsConnectionsAsDriverProperties() {
        Properties engine = engine(properties(null), DATABASE);

        assertThat(engine)
                .containsEntry("driver.sslmode", "verify-full")
                .containsEntry("driver.sslrootcert", "/certs/root.crt")
                .containsEntry("driver.options", "-c statement_timeout=0 " + PostgresCoordinates.DEAD_PEER_OPTIONS)
                .containsEntry("database.hostname", "db.internal")
                .containsEntry("database.port", "5433");
    }

    @Test
    void debeziumSettingsPassThroughOverTheRelaysOwn() {
        Properties engine = engine(
                properties(Map.of("status.update.interval.ms", "5000", "database.tcpKeepAlive", "true")), DATABASE);

        assertThat(engine)
                .containsEntry("status.update.interval.ms", "5000")
                .containsEntry("database.tcpKeepAlive", "true")
                .containsEntry("slot.name", "orders_service");
    }

    @Test
    void settingsTheRelaysGuaranteesRestOnAreRefusedNamingThem() {
        assertThatThrownBy(() -> properties(Map.of("table.include.list", "public.orders", "snapshot.mode", "never")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shopflow.outbox.relay.debezium may not set [snapshot.mode, table.include.list]");
    }
}
