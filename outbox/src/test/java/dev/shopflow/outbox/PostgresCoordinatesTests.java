package dev.shopflow.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** The leader's lock session, against a real PostgreSQL: the server gives up on a vanished leader in seconds. */
class PostgresCoordinatesTests {

    static final PostgreSQLContainer postgres = new PostgreSQLContainer("postgres:17");

    @BeforeAll
    static void startDatabase() {
        postgres.start();
    }

    @AfterAll
    static void stopDatabase() {
        postgres.stop();
    }

    @Test
    void theLockSessionDetectsADeadPeerWithinHalfAMinute() throws Exception {
        PostgresCoordinates database = new PostgresCoordinates(
                postgres.getJdbcUrl(),
                postgres.getHost(),
                postgres.getFirstMappedPort(),
                postgres.getDatabaseName(),
                postgres.getUsername(),
                postgres.getPassword());

        Map<String, Double> seconds = new HashMap<>();
        try (Connection lock = database.connect("outbox-relay-lock-test");
                Statement statement = lock.createStatement();
                ResultSet settings = statement.executeQuery("""
                        select name, setting::numeric * case unit when 'ms' then 0.001 else 1 end
                        from pg_settings where name like 'tcp\\_%'""")) {
            while (settings.next()) {
                seconds.put(settings.getString(1), settings.getDouble(2));
            }
        }

        assertThat(seconds.get("tcp_keepalives_idle")
                        + seconds.get("tcp_keepalives_interval") * seconds.get("tcp_keepalives_count"))
                .as("seconds until the server declares a silent, idle leader dead")
                .isBetween(1.0, 30.0);
        assertThat(seconds.get("tcp_user_timeout"))
                .as("seconds the server waits for data it sent to be acknowledged")
                .isBetween(1.0, 30.0);
    }
}
