package dev.shopflow.e2e;

import static dev.shopflow.e2e.DeployFiles.K8S;
import static dev.shopflow.e2e.DeployFiles.ROOT;
import static dev.shopflow.e2e.DeployFiles.SERVICES;
import static dev.shopflow.e2e.DeployFiles.compose;
import static dev.shopflow.e2e.DeployFiles.read;
import static dev.shopflow.e2e.DeployFiles.service;
import static dev.shopflow.e2e.DeployFiles.settings;
import static dev.shopflow.e2e.DeployFiles.yaml;
import static dev.shopflow.e2e.Manifests.name;
import static dev.shopflow.e2e.Manifests.podSpec;
import static dev.shopflow.e2e.Yamls.map;
import static dev.shopflow.e2e.Yamls.maps;
import static dev.shopflow.e2e.Yamls.strings;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code docker-compose.yml}, the Kubernetes topics Job and ConfigMaps/Secrets, and the services' own configuration
 * agree: on the topics, on the variables set, and on where the admin password comes from.
 */
class DeploySettingsTests {

    private static final List<String> REQUIRED =
            List.of("DB_URL", "DB_USERNAME", "DB_PASSWORD", "KAFKA_BOOTSTRAP_SERVERS", "ADMIN_USERNAME");
    private static final Pattern TOPIC_LOOP = Pattern.compile("for topic in ([^;]+); do");

    @Test
    void composeAndTheKubernetesJobCreateExactlyTheTopicsTheServicesDeclare() {
        Set<String> declared = new TreeSet<>();
        for (String service : SERVICES) {
            Map<String, Object> config = yaml(ROOT.resolve(service + "/src/main/resources/application.yml"))
                    .getFirst();
            declared.addAll(
                    strings(map(map(config.get("shopflow")).get("kafka")).get("topics")));
        }
        assertThat(declared).contains("orders", "stock");

        String kafkaInit =
                String.join(" ", strings(service(compose(), "kafka-init").get("command")));
        assertThat(topicLoop(kafkaInit)).isEqualTo(declared);
        assertThat(map(service(compose(), "kafka-init").get("environment")))
                .containsEntry("TOPIC_REPLICATION_FACTOR", "1")
                .containsEntry("TOPIC_MIN_INSYNC_REPLICAS", "1");
        assertThat(kafkaInit)
                .contains(
                        "--replication-factor \"$$TOPIC_REPLICATION_FACTOR\"",
                        "--config min.insync.replicas=$$TOPIC_MIN_INSYNC_REPLICAS",
                        "retention=3024000000 segment=86400000",
                        "retention=31536000000 segment=604800000",
                        "segment.ms=$$segment",
                        "kafka-configs.sh");

        Map<String, Object> job =
                Kustomization.load(K8S.resolve("kafka-topics")).objects("Job").getFirst();
        Map<String, Object> container = maps(podSpec(job).get("containers")).getFirst();
        String script = String.join(" ", strings(container.get("args")));
        assertThat(topicLoop(script)).isEqualTo(declared);
        assertThat(script)
                .contains(
                        "--replication-factor 3",
                        "--config min.insync.replicas=2",
                        "retention.ms=\"$retention\"",
                        "segment.ms=\"$segment\"");
        assertThat(maps(container.get("env")))
                .contains(
                        Map.of("name", "RETENTION_MS", "value", "3024000000"),
                        Map.of("name", "DEAD_LETTER_RETENTION_MS", "value", "31536000000"));
    }

    /**
     * Compose ships no admin password: a one-shot service writes ADMIN_PASSWORD (or a random one) into a volume,
     * readable by the services' user alone, before any service starts, and each service reads it from there as
     * Spring Boot's config tree, where the property ADMIN_PASSWORD is the file's name.
     */
    @Test
    void composeGeneratesTheAdminPasswordInsteadOfShippingOne() {
        Map<String, Object> compose = compose();
        assertThat(read(ROOT.resolve("docker-compose.yml"))).doesNotContainPattern("ADMIN_PASSWORD:-[^}]");
        Map<String, Object> generator = service(compose, "admin-password");
        String script = String.join("\n", strings(generator.get("command")));
        assertThat(script).contains("file=/secret/ADMIN_PASSWORD", "/dev/urandom", "chown 10001:10001", "chmod 0400");
        assertThat(strings(generator.get("volumes"))).containsExactly("admin-secret:/secret");
        assertThat(read(ROOT.resolve("Dockerfile"))).contains("--uid 10001", "USER 10001:10001");
        for (String name : SERVICES) {
            Map<String, Object> service = service(compose, name);
            Map<String, Object> environment = map(service.get("environment"));
            assertThat(environment).as(name).doesNotContainKey("ADMIN_PASSWORD");
            assertThat(environment.get("SPRING_CONFIG_IMPORT"))
                    .as(name)
                    .isEqualTo("optional:configtree:/run/secrets/shopflow-admin/");
            assertThat(strings(service.get("volumes")))
                    .as(name)
                    .contains("admin-secret:/run/secrets/shopflow-admin:ro");
            assertThat(map(map(service.get("depends_on")).get("admin-password")))
                    .as(name)
                    .containsEntry("condition", "service_completed_successfully");
            assertThat(settings(name)).contains("password: ${ADMIN_PASSWORD:}");
        }
        assertThat(read(ROOT.resolve("deploy/docker/admin.sh")))
                .contains("/run/secrets/shopflow-admin/ADMIN_PASSWORD", "-K -");
    }

    @Test
    void composeAndKubernetesSetOnlyVariablesTheServicesRead() {
        Map<String, Object> compose = compose();
        Kustomization example = Kustomization.load(K8S.resolve("overlays/example"));
        for (String service : SERVICES) {
            String config = settings(service);
            Set<String> composed =
                    map(service(compose, service).get("environment")).keySet();
            Set<String> kubernetes = new TreeSet<>(example.configMaps().get("shopflow-config"));
            kubernetes.addAll(example.configMaps().get(service + "-config"));
            kubernetes.addAll(example.secrets().get(service + "-credentials"));
            // compose generates the admin password into a file (composeGeneratesTheAdminPasswordInsteadOfShippingOne)
            assertThat(kubernetes).contains("ADMIN_PASSWORD");
            for (Set<String> environment : List.of(composed, kubernetes)) {
                assertThat(environment).containsAll(REQUIRED);
                for (String variable : environment) {
                    // Spring Boot's own properties, by relaxed binding; the rest must be read by application.yml
                    if (!variable.startsWith("SPRING_")
                            && !variable.startsWith("MANAGEMENT_")
                            && !variable.startsWith("LOGGING_")) {
                        assertThat(config).as("%s reads %s", service, variable).contains("${" + variable + ":");
                    }
                }
            }
        }
        assertThat(map(service(compose, "order-service").get("environment")))
                .containsEntry("OUTBOX_SLOT_NAME", "order_service");
        assertThat(map(service(compose, "stock-service").get("environment")))
                .containsEntry("OUTBOX_SLOT_NAME", "stock_service");
        assertThat(map(service(compose, "mail-service").get("environment"))).doesNotContainKey("OUTBOX_SLOT_NAME");
    }

    private static Set<String> topicLoop(String script) {
        Matcher loop = TOPIC_LOOP.matcher(script);
        assertThat(loop.find()).as("a 'for topic in ...' loop in %s", script).isTrue();
        return new TreeSet<>(List.of(loop.group(1).trim().split("\\s+")));
    }
}
