package dev.shopflow.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shopflow.testsupport.Containers;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** The leader's lock session, against a real PostgreSQL: the server gives up on a vanished leader in seconds. */
class PostgresCoordinatesTests {

    static final Network network = Network.newNetwork();
    static final PostgreSQLContainer postgres =
            Containers.relayPostgres().withNetwork(network).withNetworkAliases("db");
    static JdbcClient jdbc;

    @BeforeAll
    static void startDatabase() {
        postgres.start();
        jdbc = JdbcClient.create(new SimpleDriverDataSource(
                new org.postgresql.Driver(), postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword()));
    }

    @AfterAll
    static void stopDatabase() {
        postgres.stop();
        network.close();
    }

    /**
     * A leader on another node holds the leader lock and streams from the slot, with the session settings the relay
     * uses ({@link PostgresCoordinates#DEAD_PEER_OPTIONS}, passed to both of its connections); then its node drops
     * off the network without closing anything (the container is disconnected: packets to it vanish). PostgreSQL
     * must end both sessions, freeing the lock for a standby and the slot for its engine, within 30 s.
     */
    @Test
    void aLeaderWhoseNetworkVanishesLosesItsLockAndSlotWithinHalfAMinute() {
        String slot = "vanishing_leader";
        jdbc.sql("select pg_create_logical_replication_slot(?, 'test_decoding')")
                .param(slot)
                .query()
                .singleRow();
        String connect = "-h db -U %s -d %s".formatted(postgres.getUsername(), postgres.getDatabaseName());
        try (GenericContainer<?> leader = new GenericContainer<>(Containers.POSTGRES_IMAGE)
                .withNetwork(network)
                .withEnv("PGPASSWORD", postgres.getPassword())
                .withEnv("PGOPTIONS", PostgresCoordinates.DEAD_PEER_OPTIONS)
                .withCommand(
                        "sh",
                        "-c",
                        "pg_recvlogical %s -S %s --start -f /dev/null &".formatted(connect, slot)
                                + " (echo \"select pg_advisory_lock(hashtext('shopflow-outbox-relay:%s'));\";"
                                        .formatted(slot)
                                + " sleep infinity) | psql %s".formatted(connect))) {
            leader.start();
            await().atMost(Duration.ofSeconds(30))
                    .failFast("the leader exited: " + leader.getLogs(), () -> !leader.isRunning())
                    .until(() -> slotActive(slot) && lockHeld(slot));

            Instant vanished = Instant.now();
            leader.getDockerClient()
                    .disconnectFromNetworkCmd()
                    .withNetworkId(network.getId())
                    .withContainerId(leader.getContainerId())
                    .withForce(true)
                    .exec();

            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> !lockHeld(slot) && !slotActive(slot));
            System.out.printf(
                    "vanished leader's lock and slot released after %d ms%n",
                    Duration.between(vanished, Instant.now()).toMillis());
        } finally {
            jdbc.sql("select pg_drop_replication_slot(?)").param(slot).query().singleRow();
        }
    }

    private static boolean slotActive(String slot) {
        return jdbc.sql("select active from pg_replication_slots where slot_name = ?")
                .param(slot)
                .query(Boolean.class)
                .single();
    }

    private static boolean lockHeld(String slot) {
        return jdbc.sql("""
                        select count(*) > 0 from pg_locks
                        where locktype = 'advisory' and granted
                          and objid = hashtext(?)::oid""")
                .param("shopflow-outbox-relay:" + slot)
                .query(Boolean.class)
                .single();
    }

    @Test
    void theLockSessionDetectsADeadPeerWithinHalfAMinute() throws Exception {
        PostgresCoordinates database = coordinates(postgres);

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

    /**
     * A JDBC URL with its own {@code options} (a search path, a statement timeout) keeps them on the lock session,
     * and the dead-peer settings are added, not replaced by the URL's.
     */
    @Test
    void theUrlsOwnOptionsAndTheDeadPeerSettingsBothReachTheLockSession() throws Exception {
        String url = postgres.getJdbcUrl() + (postgres.getJdbcUrl().contains("?") ? "&" : "?")
                + "options=" + java.net.URLEncoder.encode("-c statement_timeout=4321", StandardCharsets.UTF_8)
                + "&ApplicationName=from-url";
        PostgresCoordinates database = PostgresCoordinates.parse(url, postgres.getUsername(), postgres.getPassword());

        try (Connection lock = database.connect("outbox-relay-lock-test");
                Statement statement = lock.createStatement();
                ResultSet settings = statement.executeQuery(
                        "select current_setting('statement_timeout'), current_setting('tcp_keepalives_idle')")) {
            settings.next();
            assertThat(settings.getString(1)).as("the URL's option").isEqualTo("4321ms");
            assertThat(settings.getString(2)).as("the relay's dead-peer option").isEqualTo("5");
        }
        assertThat(database.options()).isEqualTo("-c statement_timeout=4321 " + PostgresCoordinates.DEAD_PEER_OPTIONS);
    }

    /** What the relay is given to reach a test database, as it reads it from Spring Boot's connection details. */
    static PostgresCoordinates coordinates(PostgreSQLContainer postgres) {
        return PostgresCoordinates.parse(postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword());
    }
}
