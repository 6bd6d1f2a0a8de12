package dev.shopflow.testsupport;

import java.util.ArrayList;
import java.util.List;
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
