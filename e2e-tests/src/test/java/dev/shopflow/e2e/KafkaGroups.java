package dev.shopflow.e2e;

/** The services' consumer groups as the Kafka CLI inside the kafka container shows and moves them. */
final class KafkaGroups {

    private final Compose compose;

    KafkaGroups(Compose compose) {
        this.compose = compose;
    }

    /**
     * Moves a group's offsets on a topic ({@code --to-earliest}, {@code --to-latest}); the CLI refuses while the
     * group has members.
     */
    Compose.Result resetOffsets(String group, String topic, String to) {
        return compose.kafkaCli(
                "kafka-consumer-groups.sh",
                "--bootstrap-server",
                "localhost:9092",
                "--group",
                group,
                "--topic",
                topic,
                "--reset-offsets",
                to,
                "--execute");
    }
}
