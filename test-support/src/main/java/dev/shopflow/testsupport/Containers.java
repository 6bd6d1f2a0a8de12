package dev.shopflow.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The containers the tests run against, not yet started; the one place their images are named. The tags are the
 * ones docker-compose.yml runs (ContainersTests holds them equal), so the tests see the versions production sees.
 * How a test starts them is its own choice: a {@code ContainersConfig} of {@code @ServiceConnection} beans where
 * Spring Boot runs, start and stop around a test class where it does not.
 */
public final class Containers {

    public static final String POSTGRES_IMAGE = "postgres:17";
    public static final String KAFKA_IMAGE = "apache/kafka:4.2.2";
    public static final String GREENMAIL_IMAGE = "greenmail/standalone:2.1.8";

    /** GreenMail's SMTP port. */
    public static final int GREENMAIL_SMTP_PORT = 3025;

    /** GreenMail's HTTP API, where the mails it received can be read. */
    public static final int GREENMAIL_API_PORT = 8080;

    private Containers() {}

    /** A plain PostgreSQL, for a service or library that does not run the relay. */
    public static PostgreSQLContainer postgres() {
        return new PostgreSQLContainer(POSTGRES_IMAGE);
    }

    /**
     * A PostgreSQL the relay can read: logical WAL, which its Debezium connector decodes the outbox from.
     *
     * @param settings more server settings, each {@code name=value} (as {@code postgres -c} takes them)
     */
    public static PostgreSQLContainer relayPostgres(String... settings) {
        List<String> command = new ArrayList<>(List.of("postgres", "-c", "wal_level=logical"));
        for (String setting : settings) {
            command.add("-c");
            command.add(setting);
        }
        return new PostgreSQLContainer(POSTGRES_IMAGE).withCommand(command.toArray(String[]::new));
    }

    /**
     * Readies a started relay PostgreSQL to feed a streaming standby ({@link #relayStandby}): replication
     * connections from any address with the password, and the physical slot the standby streams from, which
     * {@code synchronized_standby_slots} on this server may name.
     */
    public static void acceptStandby(PostgreSQLContainer primary, String physicalSlot) {
        exec(primary, "sh", "-c", "echo 'host replication all all scram-sha-256' >> \"$PGDATA/pg_hba.conf\"");
        exec(
                primary,
                "psql",
                "-U",
                primary.getUsername(),
                "-d",
                primary.getDatabaseName(),
                "-c",
                "select pg_reload_conf(), pg_create_physical_replication_slot('" + physicalSlot + "')");
    }

    /**
     * A hot standby of {@code primary} (readied by {@link #acceptStandby}), reached on the shared network as
     * {@code primaryHost}: a copy taken with {@code pg_basebackup} streaming through {@code physicalSlot}, which
     * synchronises the primary's failover slots ({@code sync_replication_slots}, with the {@code hot_standby_feedback},
     * {@code primary_slot_name} and {@code dbname} in {@code primary_conninfo} that needs). It names no {@code
     * synchronized_standby_slots} of its own, so once promoted its logical walsenders wait for nobody. Ready once it
     * accepts read-only connections.
     */
    public static GenericContainer<?> relayStandby(
            PostgreSQLContainer primary, String primaryHost, String physicalSlot) {
        String conninfo = "host=%s port=5432 user=%s password=%s dbname=%s"
                .formatted(primaryHost, primary.getUsername(), primary.getPassword(), primary.getDatabaseName());
        String script = String.join(
                "\n",
                "set -e",
                "export PGPASSWORD='%s'".formatted(primary.getPassword()),
                "pg_basebackup -h %s -U %s -D /var/lib/postgresql/standby -X stream -S %s -R"
                        .formatted(primaryHost, primary.getUsername(), physicalSlot),
                "exec postgres -D /var/lib/postgresql/standby -c listen_addresses='*' -c wal_level=logical"
                        + " -c hot_standby=on -c hot_standby_feedback=on -c sync_replication_slots=on"
                        + " -c primary_slot_name=%s -c \"primary_conninfo=%s\" -c synchronized_standby_slots="
                                .formatted(physicalSlot, conninfo));
        return new GenericContainer<>(POSTGRES_IMAGE)
                .withExposedPorts(PostgreSQLContainer.POSTGRESQL_PORT)
                // postgres refuses to run as root, and the image's entrypoint steps down to its user only for
                // its own start-up
                .withCreateContainerCmdModifier(command -> command.withUser("postgres"))
                .withCommand("sh", "-c", script)
                .waitingFor(Wait.forLogMessage(".*database system is ready to accept read-only connections.*", 1)
                        .withStartupTimeout(Duration.ofMinutes(2)));
    }

    private static void exec(GenericContainer<?> container, String... command) {
        try {
            Container.ExecResult result = container.execInContainer(command);
            if (result.getExitCode() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + result.getStderr());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static KafkaContainer kafka() {
        return new KafkaContainer(KAFKA_IMAGE);
    }

    /** A real SMTP server whose received mails can be read over HTTP, ready once its API answers. */
    public static GenericContainer<?> greenMail() {
        return new GenericContainer<>(GREENMAIL_IMAGE)
                .withExposedPorts(GREENMAIL_SMTP_PORT, GREENMAIL_API_PORT)
                .waitingFor(Wait.forHttp("/api/service/readiness").forPort(GREENMAIL_API_PORT));
    }
}
