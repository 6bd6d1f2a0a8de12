package dev.shopflow.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.connector.postgresql.Module;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

/**
 * The build check that Debezium and Kafka do not drift apart: Spring Boot's BOM sets the version of every {@code
 * org.apache.kafka} artifact, Debezium's engine runs on Kafka Connect's runtime, and a Debezium release built
 * for another Kafka line fails in odd places (3.5.0, built for 4.1, reported an invalid connector setting as a
 * {@code NoSuchMethodError} on Kafka 4.2). When this fails after an upgrade of Spring Boot or Debezium, move the
 * other one (root pom, {@code debezium.version}) to the same Kafka line.
 */
class DebeziumKafkaAlignmentTests {

    private static final Pattern KAFKA_OF_DEBEZIUM = Pattern.compile("<version\\.kafka>([^<]+)</version\\.kafka>");

    @Test
    void theDebeziumOnTheClassPathWasBuiltForTheKafkaLineOnTheClassPath() throws IOException {
        String debezium = Module.version();
        String kafka = AppInfoParser.getVersion();
        // Debezium's build parent names the Kafka release it was built and tested against
        Path buildParent = Path.of(
                System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository"),
                "io/debezium/debezium-build-parent",
                debezium,
                "debezium-build-parent-" + debezium + ".pom");
        assertThat(buildParent)
                .as("Debezium %s's build parent in the local Maven repository", debezium)
                .exists();
        Matcher builtFor = KAFKA_OF_DEBEZIUM.matcher(Files.readString(buildParent));
        assertThat(builtFor.find()).as("<version.kafka> in %s", buildParent).isTrue();

        assertThat(line(kafka))
                .as(
                        "Kafka %s (from Spring Boot) and Debezium %s (built for Kafka %s) are on different lines",
                        kafka, debezium, builtFor.group(1))
                .isEqualTo(line(builtFor.group(1)));
    }

    /** 4.2.2 -> 4.2 */
    private static String line(String version) {
        String[] parts = version.split("\\.");
        return parts[0] + "." + parts[1];
    }
}
