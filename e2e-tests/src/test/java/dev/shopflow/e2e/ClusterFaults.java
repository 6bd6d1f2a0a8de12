package dev.shopflow.e2e;

import static dev.shopflow.e2e.FaultClock.awaitUntil;
import static dev.shopflow.e2e.FaultClock.log;
import static dev.shopflow.e2e.FaultClock.pause;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
        // end offsets from this machine through the first broker's published port: milliseconds per look, where the
        // Kafka CLI in a container takes seconds to start
        try (ConsumerLag kafka = new ConsumerLag("127.0.0.1:" + compose.port("KAFKA_HOST_PORT"))) {
            askKafka("the topics' partitions", () -> {
                kafka.lookUpTopics();
                return true;
            });
            Map<String, Long> before = new LinkedHashMap<>();
            RELAYED_TOPICS.forEach(
                    topic -> before.put(topic, askKafka("end offsets of " + topic, () -> kafka.endOffset(topic))));
            long promote = System.nanoTime();
            compose.psqlOn("postgres-standby", "postgres", "postgres", "select pg_promote()");
            primary = "postgres-standby";
            log("standby promoted in %.1f s".formatted((System.nanoTime() - promote) / 1e9));
            for (String topic : RELAYED_TOPICS) {
                awaitUntil(
                        "an event relayed to " + topic + " from the new primary",
                        Duration.ofMinutes(3),
                        Duration.ofMillis(200),
                        () -> askKafka("end offsets of " + topic, () -> kafka.endOffset(topic)) > before.get(topic));
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

    private static <T> T askKafka(String what, Callable<T> question) {
        try {
            return question.call();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new AssertionError(what, e);
        }
    }
}
