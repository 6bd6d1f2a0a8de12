package dev.shopflow.e2e;

import static dev.shopflow.e2e.FaultClock.awaitUntil;
import static dev.shopflow.e2e.FaultClock.log;
import static dev.shopflow.e2e.FaultClock.pause;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * The faults of the HA stack ({@code docker-compose.ha.yml}: three brokers, a PostgreSQL primary with a streaming
 * standby to which the relays' failover slots are synchronised), 25 s apart: the broker leading partition 0 of
 * {@code orders} killed with SIGKILL for 20 s; a second broker stopped for a minute; the primary stopped and, 5 s
 * later (an operator's quickest reaction), the standby promoted, as docs/operations-deploy.md tells an operator to.
 * The old primary stays down: started again it would be a second primary, which only a rebuild as a standby avoids.
 */
final class ClusterFaults extends Faults {

    private static final Map<String, String> BROKERS = Map.of("1", "kafka", "2", "kafka-2", "3", "kafka-3");
    private static final Pattern PARTITION_0_LEADER = Pattern.compile("Partition:\\s*0\\s+Leader:\\s*(\\d+)");
    private static final List<String> RELAYED_TOPICS = List.of("orders", "stock");

    private volatile String primary = "postgres";
    private Map<String, Long> snapshots = Map.of();

    ClusterFaults(Compose compose) {
        super(compose);
    }

    @Override
    String primary() {
        return primary;
    }

    @Override
    void inject() {
        pause(Duration.ofSeconds(15));
        awaitUntil(
                "both relays' slots synchronised to the standby",
                Duration.ofMinutes(2),
                () -> compose.psqlOn(
                                "postgres-standby",
                                "postgres",
                                "postgres",
                                "select count(*) from pg_replication_slots where synced and failover")
                        .strip()
                        .equals("2"));
        String leader = leaderOfOrders();
        fault("the leader of orders partition 0 (" + leader + ") killed (SIGKILL) for 20 s", () -> {
            compose.run(Duration.ofMinutes(1), "kill", leader);
            pause(Duration.ofSeconds(20));
            compose.run(Duration.ofMinutes(2), "start", leader);
        });
        pause(PAUSE);
        String second = BROKERS.values().stream()
                .sorted()
                .filter(broker -> !broker.equals(leader))
                .findFirst()
                .orElseThrow();
        fault(second + " stopped for 60 s", () -> {
            compose.run(Duration.ofMinutes(1), "stop", second);
            pause(Duration.ofSeconds(60));
            compose.run(Duration.ofMinutes(2), "start", second);
        });
        pause(PAUSE);
        fault("the PostgreSQL primary stopped, the standby promoted 5 s later", this::failOver);
        pause(Duration.ofSeconds(30));
        snapshots = RelaySnapshots.count(compose);
        observe("outbox reads (snapshots) since the relays started", snapshots);
    }

    /** No relay re-read its outbox: the failover found the slots. */
    @Override
    boolean observedAsPromised() {
        return snapshots.values().stream().allMatch(count -> count == 0);
    }

    private void failOver() {
        observe("slots on the standby before the failover", slots("postgres-standby"));
        compose.run(Duration.ofMinutes(2), "stop", "postgres");
        pause(Duration.ofSeconds(5));
        try (Admin kafka = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                "127.0.0.1:" + compose.port("KAFKA_HOST_PORT"),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                10_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000))) {
            Map<String, Long> before = new LinkedHashMap<>();
            RELAYED_TOPICS.forEach(topic -> before.put(topic, endOffset(kafka, topic)));
            long promote = System.nanoTime();
            compose.psqlOn("postgres-standby", "postgres", "postgres", "select pg_promote()");
            primary = "postgres-standby";
            log("standby promoted in %.1f s".formatted((System.nanoTime() - promote) / 1e9));
            for (String topic : RELAYED_TOPICS) {
                awaitUntil(
                        "an event relayed to " + topic + " from the new primary",
                        Duration.ofMinutes(3),
                        Duration.ofMillis(200),
                        () -> endOffset(kafka, topic) > before.get(topic));
                observe(
                        "promotion → first event relayed to " + topic,
                        "%.1f s".formatted((System.nanoTime() - promote) / 1e9));
            }
        }
        observe("slots on the new primary", slots("postgres-standby"));
    }

    private String slots(String server) {
        return compose.psqlOn(
                        server,
                        "postgres",
                        "postgres",
                        "select string_agg(slot_name || ' failover=' || failover || ' synced=' || synced"
                                + " || ' confirmed=' || confirmed_flush_lsn, ', ' order by slot_name)"
                                + " from pg_replication_slots where slot_type = 'logical'")
                .strip();
    }

    /** The compose service of the broker that leads partition 0 of {@code orders}. */
    private String leaderOfOrders() {
        String described = compose.kafkaCliOn(
                        "kafka",
                        "kafka-topics.sh",
                        "--bootstrap-server",
                        "localhost:9092",
                        "--describe",
                        "--topic",
                        "orders")
                .output();
        Matcher matcher = PARTITION_0_LEADER.matcher(described);
        if (!matcher.find()) {
            throw new AssertionError("no leader of orders-0 in:\n" + described);
        }
        return BROKERS.get(matcher.group(1));
    }

    /**
     * The sum of a topic's end offsets, from this machine through the first broker's published port (milliseconds
     * per look, where the Kafka CLI in a container takes seconds to start).
     */
    private static long endOffset(Admin admin, String topic) {
        try {
            int partitions = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(topic)
                    .partitions()
                    .size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int partition = 0; partition < partitions; partition++) {
                latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(ListOffsetsResultInfo::offset)
                    .sum();
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("end offsets of " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
