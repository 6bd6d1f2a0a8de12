package dev.shopflow.e2e;

import static dev.shopflow.e2e.DeployFiles.K8S;
import static dev.shopflow.e2e.DeployFiles.ROOT;
import static dev.shopflow.e2e.DeployFiles.SERVICES;
import static dev.shopflow.e2e.DeployFiles.compose;
import static dev.shopflow.e2e.DeployFiles.overlay;
import static dev.shopflow.e2e.DeployFiles.read;
import static dev.shopflow.e2e.DeployFiles.service;
import static dev.shopflow.e2e.DeployFiles.settings;
import static dev.shopflow.e2e.DeployFiles.yaml;
import static dev.shopflow.e2e.Manifests.name;
import static dev.shopflow.e2e.Yamls.map;
import static dev.shopflow.e2e.Yamls.maps;
import static dev.shopflow.e2e.Yamls.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The HA configuration, checked without starting it: {@code docker-compose.ha.yml} over docker-compose.yml (three
 * brokers that form one cluster, topics with 3 copies and 2 in sync, a standby that keeps copies of the relays' slots,
 * every service pointed at all of them), and the Kubernetes PostgreSQL cluster (deploy/k8s/postgres) with its
 * logical slots synchronised. {@code FaultRun -Dfaults.stack=ha} shows the same files surviving the faults.
 */
class HighAvailabilityTests {

    private static final List<String> BROKERS = List.of("kafka", "kafka-2", "kafka-3");

    /** The two files as {@code docker compose -f docker-compose.yml -f docker-compose.ha.yml} merges them. */
    private static Map<String, Object> haStack() {
        return overlay(compose(), yaml(ROOT.resolve("docker-compose.ha.yml")).getFirst());
    }

    private static Map<String, String> environment(Map<String, Object> stack, String service) {
        Map<String, String> environment = new LinkedHashMap<>();
        map(service(stack, service).get("environment"))
                .forEach((name, value) -> environment.put(name, String.valueOf(value)));
        return environment;
    }

    /** The value of a {@code -c name=value} option on a PostgreSQL server's command line; null when not given. */
    private static String serverSetting(Map<String, Object> stack, String server, String name) {
        return strings(service(stack, server).get("command")).stream()
                .filter(argument -> argument.startsWith(name + "="))
                .map(argument -> argument.substring(name.length() + 1))
                .findFirst()
                .orElse(null);
    }

    @Test
    void theThreeBrokersFormOneClusterThatKeepsThreeCopiesOfEverything() {
        Map<String, Object> stack = haStack();
        List<Map<String, String>> brokers =
                BROKERS.stream().map(broker -> environment(stack, broker)).toList();
        assertThat(brokers.stream().map(broker -> broker.get("KAFKA_NODE_ID"))).containsExactly("1", "2", "3");
        assertThat(brokers.stream().map(broker -> broker.get("CLUSTER_ID")).distinct())
                .hasSize(1);
        for (int i = 0; i < BROKERS.size(); i++) {
            Map<String, String> broker = brokers.get(i);
            assertThat(broker.get("KAFKA_CONTROLLER_QUORUM_VOTERS"))
                    .isEqualTo("1@kafka:9093,2@kafka-2:9093,3@kafka-3:9093");
            assertThat(broker.get("KAFKA_ADVERTISED_LISTENERS")).startsWith("INTERNAL://" + BROKERS.get(i) + ":9092,");
            assertThat(broker)
                    .containsEntry("KAFKA_DEFAULT_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_MIN_INSYNC_REPLICAS", "2")
                    .containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "2");
        }
        assertThat(environment(stack, "kafka-init"))
                .containsEntry("TOPIC_REPLICATION_FACTOR", "3")
                .containsEntry("TOPIC_MIN_INSYNC_REPLICAS", "2");
        assertThat(map(service(stack, "kafka-init").get("depends_on"))).containsKeys("kafka", "kafka-2", "kafka-3");
    }

    @Test
    void everyServiceKnowsEveryBrokerAndBothDatabaseServers() {
        Map<String, Object> stack = haStack();
        for (String service : SERVICES) {
            Map<String, String> environment = environment(stack, service);
            assertThat(List.of(environment.get("KAFKA_BOOTSTRAP_SERVERS").split(",")))
                    .as(service)
                    .containsExactlyInAnyOrder("kafka:9092", "kafka-2:9092", "kafka-3:9092");
            assertThat(environment).containsEntry("KAFKA_REPLICATION_FACTOR", "3");
            String database = environment(compose(), service).get("DB_URL").replaceFirst(".*/", "");
            assertThat(environment.get("DB_URL"))
                    .as(service)
                    .isEqualTo("jdbc:postgresql://postgres:5432,postgres-standby:5432/" + database
                            + "?targetServerType=primary");
        }
    }

    @Test
    void theStandbyKeepsCopiesOfTheRelaysSlotsAndThePrimaryWaitsForIt() {
        Map<String, Object> stack = haStack();
        String standbySlot = environment(stack, "postgres").get("STANDBY_SLOT_NAME");
        assertThat(environment(stack, "postgres-standby")).containsEntry("STANDBY_SLOT_NAME", standbySlot);
        assertThat(serverSetting(stack, "postgres", "synchronized_standby_slots"))
                .isEqualTo(standbySlot);
        assertThat(serverSetting(stack, "postgres-standby", "primary_slot_name"))
                .isEqualTo(standbySlot);
        assertThat(serverSetting(stack, "postgres-standby", "sync_replication_slots"))
                .isEqualTo("on");
        assertThat(serverSetting(stack, "postgres-standby", "hot_standby_feedback"))
                .isEqualTo("on");
        for (String server : List.of("postgres", "postgres-standby")) {
            assertThat(serverSetting(stack, server, "wal_level")).as(server).isEqualTo("logical");
        }
        // promoted, a standby that named a slot it lacks would keep the relays waiting for it
        assertThat(serverSetting(stack, "postgres-standby", "synchronized_standby_slots"))
                .isNull();
        // the relays create failover slots unless told otherwise, and nothing tells them otherwise
        assertThat(read(ROOT.resolve("outbox-relay/src/main/java/dev/shopflow/relay/RelayProperties.java")))
                .contains("@DefaultValue(\"true\") boolean failoverSlot");
        for (String service : SERVICES) {
            assertThat(settings(service)).doesNotContainIgnoringCase("failover-slot");
        }
        // the scripts the two servers run: the primary's once, at initialisation; the standby's at every start
        for (String script : List.of("deploy/postgres/replication.sh", "deploy/postgres-standby/standby.sh")) {
            assertThat(Files.isExecutable(ROOT.resolve(script))).as(script).isTrue();
        }
        assertThat(read(ROOT.resolve("deploy/postgres/replication.sh")))
                .contains("pg_create_physical_replication_slot", "host replication replicator");
    }

    @Test
    void theKubernetesDatabaseIsAPrimaryWithStandbysThatSynchroniseLogicalSlots() {
        Kustomization postgres = Kustomization.load(K8S.resolve("postgres"));
        Map<String, Object> cluster = postgres.objects("Cluster").getFirst();
        Map<String, Object> spec = map(cluster.get("spec"));
        assertThat((Integer) spec.get("instances")).isGreaterThanOrEqualTo(2);
        assertThat(map(map(spec.get("replicationSlots")).get("highAvailability")))
                .containsEntry("enabled", true)
                .containsEntry("synchronizeLogicalDecoding", true);
        assertThat(map(map(spec.get("postgresql")).get("parameters")))
                .containsEntry("wal_level", "logical")
                .containsEntry("hot_standby_feedback", "on");

        Map<String, Map<String, Object>> roles = maps(map(spec.get("managed")).get("roles")).stream()
                .collect(Collectors.toMap(Manifests::name, role -> role));
        assertThat(roles).containsOnlyKeys("orders", "stock", "mail");
        assertThat(roles.get("orders")).containsEntry("replication", true);
        assertThat(roles.get("stock")).containsEntry("replication", true);
        assertThat(roles.get("mail")).doesNotContainKey("replication");
        roles.values()
                .forEach(role -> assertThat(postgres.secrets()).containsKey(name(map(role.get("passwordSecret")))));

        List<Map<String, Object>> databases = postgres.objects("Database");
        assertThat(databases.stream().map(database -> map(database.get("spec"))))
                .allSatisfy(database ->
                        assertThat(name(map(database.get("cluster")))).isEqualTo(name(cluster)))
                .extracting(database -> database.get("name"), database -> database.get("owner"))
                .containsExactlyInAnyOrder(tuple("orders", "orders"), tuple("stock", "stock"), tuple("mail", "mail"));

        // the example deployment reaches the primary through the Service the operator keeps pointed at it
        String namespace = String.valueOf(
                yaml(K8S.resolve("postgres/kustomization.yaml")).getFirst().get("namespace"));
        Path example = K8S.resolve("overlays/example");
        for (String service : SERVICES) {
            assertThat(Kustomization.literal(example, service + "-config", "DB_URL"))
                    .startsWith("jdbc:postgresql://" + name(cluster) + "-rw." + namespace + ".svc:5432/");
        }
    }
}
