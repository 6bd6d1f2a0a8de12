package dev.shopflow.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** What the relay hands Debezium, from the application's settings (its producer's: {@link RelayProducerTests}). */
class RelaySettingsTests {

    static final PostgresCoordinates DATABASE = PostgresCoordinates.parse(
            "jdbc:postgresql://db.internal:5433/orders?sslmode=verify-full&sslrootcert=%2Fcerts%2Froot.crt"
                    + "&options=-c%20statement_timeout%3D0",
            "orders", "secret");

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
                true,
                debezium);
    }

    static Properties engine(RelayProperties properties, PostgresCoordinates database) {
        return new EngineSettings(properties, database, "kafka:9092").properties(database.primary());
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

    /**
     * pgJDBC's failover syntax, as the pool and Flyway take it: every host is kept (5432 where none is given), and
     * Debezium's connector and offset store both get the one host the relay found to be the primary, without the
     * parameters that choose among hosts.
     */
    @Test
    void aMultiHostUrlGivesDebeziumTheHostThatIsThePrimary() {
        PostgresCoordinates database = PostgresCoordinates.parse(
                "jdbc:postgresql://pg-a,pg-b:5433,[::1]:5434/orders?targetServerType=primary&sslmode=require",
                "orders",
                "secret");
        assertThat(database.hosts())
                .extracting(PostgresCoordinates.Host::toString)
                .containsExactly("pg-a:5432", "pg-b:5433", "[::1]:5434");
        assertThat(database.database()).isEqualTo("orders");

        Properties engine = new EngineSettings(properties(null), database, "kafka:9092")
                .properties(database.hosts().get(1));

        assertThat(engine)
                .containsEntry("database.hostname", "pg-b")
                .containsEntry("database.port", "5433")
                .containsEntry("database.dbname", "orders")
                .containsEntry(
                        "offset.storage.jdbc.connection.url", "jdbc:postgresql://pg-b:5433/orders?sslmode=require")
                .containsEntry("driver.sslmode", "require")
                .doesNotContainKey("driver.targetServerType");
    }

    @Test
    void withoutAPrimaryAmongTheHostsTheErrorNamesEveryHostTried() {
        PostgresCoordinates database = PostgresCoordinates.parse(
                "jdbc:postgresql://127.0.0.1:1,127.0.0.1:2/orders?targetServerType=primary", "orders", "secret");

        assertThatThrownBy(database::primary)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("No primary among the PostgreSQL hosts")
                .hasMessageContaining("127.0.0.1:1 did not answer")
                .hasMessageContaining("127.0.0.1:2 did not answer");
    }

    @Test
    void theSlotIsAFailoverSlotAndNoSlotIsTrustedOverTheStoredOffset() {
        Properties engine = engine(properties(null), DATABASE);

        assertThat(engine)
                .containsEntry("slot.failover", "true")
                .containsEntry("offset.mismatch.strategy", "no_validation");
        assertThatThrownBy(() -> properties(Map.of("offset.mismatch.strategy", "trust_slot", "slot.failover", "false")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("may not set [offset.mismatch.strategy, slot.failover]");
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
