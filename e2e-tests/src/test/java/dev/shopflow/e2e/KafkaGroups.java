package dev.shopflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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

    /** Lag of a group on topic orders, over all partitions, as kafka-consumer-groups.sh describes it. */
    long lag(String group) {
        long lag = 0;
        for (String[] columns : describeOnOrders(group)) {
            // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ...; "-" where nothing is committed yet
            lag += columns[5].equals("-") ? Long.parseLong(columns[4]) : Long.parseLong(columns[5]);
        }
        return lag;
    }

    /** The group's committed offset per partition of orders. */
    Map<Integer, Long> committedOffsets(String group) {
        Map<Integer, Long> offsets = new HashMap<>();
        for (String[] columns : describeOnOrders(group)) {
            offsets.put(Integer.parseInt(columns[2]), columns[3].equals("-") ? -1 : Long.parseLong(columns[3]));
        }
        return offsets;
    }

    /** Which instance (consumer host) owns each partition of orders in the group; none for unowned ones. */
    Map<Integer, String> partitionOwners(String group) {
        Map<Integer, String> owners = new TreeMap<>();
        for (String[] columns : describeOnOrders(group)) {
            // ... CONSUMER-ID HOST CLIENT-ID, "-" for a partition no member owns
            if (columns.length >= 8 && !columns[6].equals("-")) {
                owners.put(Integer.parseInt(columns[2]), columns[7]);
            }
        }
        return owners;
    }

    private List<String[]> describeOnOrders(String group) {
        Compose.Result describe = compose.kafkaCli(
                "kafka-consumer-groups.sh", "--bootstrap-server", "localhost:9092", "--describe", "--group", group);
        assertThat(describe.exitCode()).as(describe.output()).isZero();
        List<String[]> rows = describe.output()
                .lines()
                .map(line -> line.trim().split("\\s+"))
                .filter(columns -> columns.length >= 6 && columns[0].equals(group) && columns[1].equals("orders"))
                .toList();
        assertThat(rows).as(describe.output()).hasSize(3);
        return rows;
    }
}
