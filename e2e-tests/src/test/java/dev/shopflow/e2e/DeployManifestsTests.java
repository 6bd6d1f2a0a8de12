package dev.shopflow.e2e;

import static dev.shopflow.e2e.Yamls.map;
import static dev.shopflow.e2e.Yamls.maps;
import static dev.shopflow.e2e.Yamls.strings;
import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * What can be checked of the deployment files without a cluster: the Kustomize tree under {@code deploy/k8s} is
 * complete and consistent (references, selectors, ports, non-root), and {@code docker-compose.yml}, the Kubernetes
 * topics Job and the services' own configuration agree on topics and settings.
 */
class DeployManifestsTests {

    private static final Path ROOT =
            Path.of(System.getProperty("shopflow.root", "..")).toAbsolutePath().normalize();
    private static final Path K8S = ROOT.resolve("deploy/k8s");
    private static final List<String> SERVICES = List.of("order-service", "stock-service", "mail-service");
    private static final List<String> REQUIRED =
            List.of("DB_URL", "DB_USERNAME", "DB_PASSWORD", "KAFKA_BOOTSTRAP_SERVERS", "ADMIN_USERNAME");
    private static final Pattern TOPIC_LOOP = Pattern.compile("for topic in ([^;]+); do");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(s|m)");
    /** Spring Boot's default for {@code spring.lifecycle.timeout-per-shutdown-phase}. */
    private static final String BOOT_SHUTDOWN_TIMEOUT = "30s";

    private static final int PRE_STOP_PAUSE = 5;

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/example", "kafka-topics"})
    void everyResourceAndGeneratorFileOfAKustomizationExists(String kustomization) {
        Kustomization.load(K8S.resolve(kustomization));
    }

    @Test
    void everyConfigMapAndSecretThePodsUseIsDefinedWithTheKeysTheyName() {
        Kustomization example = Kustomization.load(K8S.resolve("overlays/example"));
        List<Map<String, Object>> pods = example.podSpecs();
        assertThat(pods).hasSize(3);
        for (Map<String, Object> pod : pods) {
            for (Map<String, Object> container : maps(pod.get("containers"))) {
                for (Map<String, Object> source : maps(container.get("envFrom"))) {
                    if (source.containsKey("configMapRef")) {
                        assertThat(example.configMaps())
                                .as("ConfigMaps for %s", container.get("name"))
                                .containsKey(name(source.get("configMapRef")));
                    }
                    if (source.containsKey("secretRef")) {
                        assertThat(example.secrets())
                                .as("Secrets for %s", container.get("name"))
                                .containsKey(name(source.get("secretRef")));
                    }
                }
                for (Map<String, Object> variable : maps(container.get("env"))) {
                    Map<String, Object> from = map(variable.get("valueFrom"));
                    if (from.containsKey("configMapKeyRef")) {
                        assertThat(example.configMaps().get(name(from.get("configMapKeyRef"))))
                                .contains(String.valueOf(
                                        map(from.get("configMapKeyRef")).get("key")));
                    }
                    if (from.containsKey("secretKeyRef")) {
                        assertThat(example.secrets().get(name(from.get("secretKeyRef"))))
                                .contains(String.valueOf(
                                        map(from.get("secretKeyRef")).get("key")));
                    }
                }
            }
        }
    }

    @Test
    void servicesAndDisruptionBudgetsSelectThePodsOfTheirDeployment() {
        Kustomization base = Kustomization.load(K8S.resolve("base"));
        for (String kind : List.of("Service", "PodDisruptionBudget")) {
            for (Map<String, Object> object : base.objects(kind)) {
                Map<String, Object> spec = map(object.get("spec"));
                Map<String, Object> selector = kind.equals("Service")
                        ? map(spec.get("selector"))
                        : map(map(spec.get("selector")).get("matchLabels"));
                assertThat(selector).as("%s %s selector", kind, name(object)).isNotEmpty();
                List<Map<String, Object>> selected = base.objects("Deployment").stream()
                        .filter(deployment -> podLabels(deployment).entrySet().containsAll(selector.entrySet()))
                        .toList();
                assertThat(selected)
                        .as("Deployments selected by %s %s", kind, name(object))
                        .hasSize(1);
                if (kind.equals("Service")) {
                    Set<Object> ports = containerPorts(selected.getFirst());
                    for (Map<String, Object> port : maps(spec.get("ports"))) {
                        assertThat(ports).contains(port.get("targetPort"));
                    }
                }
            }
        }
        for (Map<String, Object> deployment : base.objects("Deployment")) {
            Map<String, Object> matchLabels =
                    map(map(map(deployment.get("spec")).get("selector")).get("matchLabels"));
            assertThat(podLabels(deployment).entrySet()).containsAll(matchLabels.entrySet());
        }
    }

    /**
     * Kubernetes probes the API port, on the paths Spring Boot adds there ({@code
     * management.endpoint.health.probes.add-additional-paths}): a replica whose API server is stuck is not live,
     * however well the management port answers.
     */
    @Test
    void probesAskLivezAndReadyzOnTheApiPortTheServiceSendsTrafficTo() {
        Kustomization base = Kustomization.load(K8S.resolve("base"));
        assertThat(base.objects("Deployment")).hasSize(3);
        for (Map<String, Object> deployment : base.objects("Deployment")) {
            assertThat(containerPorts(deployment)).as(name(deployment)).contains("http");
            for (Map<String, Object> container : maps(podSpec(deployment).get("containers"))) {
                Map<String, String> paths = Map.of(
                        "startupProbe", "/livez",
                        "livenessProbe", "/livez",
                        "readinessProbe", "/readyz");
                paths.forEach((probe, path) -> assertThat(
                                map(map(container.get(probe)).get("httpGet")))
                        .as("%s %s", name(deployment), probe)
                        .containsEntry("path", path)
                        .containsEntry("port", "http"));
            }
        }
        for (Map<String, Object> service : base.objects("Service")) {
            assertThat(maps(map(service.get("spec")).get("ports")))
                    .extracting(port -> port.get("targetPort"))
                    .as(name(service))
                    .containsExactly("http");
        }
        for (String service : SERVICES) {
            assertThat(map(map(map(map(applicationYml(service).get("management"))
                                            .get("endpoint"))
                                    .get("health"))
                            .get("probes")))
                    .as("%s serves /livez and /readyz on its API port", service)
                    .containsEntry("enabled", true)
                    .containsEntry("add-additional-paths", true);
        }
    }

    /**
     * A terminating pod leaves the Service's endpoints a moment after it is told to stop: it keeps serving for a
     * pause (preStop), then shuts down gracefully, and Kubernetes waits for both before it kills it.
     */
    @Test
    void aStoppingPodServesOnForAPauseThenShutsDownGracefullyWithinItsGracePeriod() {
        Kustomization base = Kustomization.load(K8S.resolve("base"));
        for (Map<String, Object> deployment : base.objects("Deployment")) {
            Map<String, Object> config = applicationYml(name(deployment));
            Map<String, Object> spring = map(config.get("spring"));
            assertThat(map(config.get("server"))).as(name(deployment)).containsEntry("shutdown", "graceful");
            int shutdownSeconds = seconds(
                    map(spring.get("lifecycle")).getOrDefault("timeout-per-shutdown-phase", BOOT_SHUTDOWN_TIMEOUT));
            for (Map<String, Object> container : maps(podSpec(deployment).get("containers"))) {
                Object pause = map(map(map(container.get("lifecycle")).get("preStop"))
                                .get("sleep"))
                        .get("seconds");
                assertThat(pause).as("%s preStop sleep", name(deployment)).isEqualTo(PRE_STOP_PAUSE);
                assertThat((Integer) podSpec(deployment).get("terminationGracePeriodSeconds"))
                        .as("%s grace period", name(deployment))
                        .isGreaterThan(PRE_STOP_PAUSE + shutdownSeconds);
            }
        }
    }

    /** A node drain or a node lost takes one replica of a service at a time, where the cluster has the nodes. */
    @Test
    void replicasSpreadOverNodesAndADisruptionTakesOneAtATime() {
        Kustomization base = Kustomization.load(K8S.resolve("base"));
        for (Map<String, Object> deployment : base.objects("Deployment")) {
            List<Map<String, Object>> budgets = base.objects("PodDisruptionBudget").stream()
                    .filter(budget -> selects(map(map(budget.get("spec")).get("selector")), deployment))
                    .toList();
            assertThat(budgets)
                    .as("disruption budgets of %s", name(deployment))
                    .singleElement()
                    .satisfies(budget -> assertThat(map(budget.get("spec")))
                            .containsEntry("maxUnavailable", 1)
                            .doesNotContainKey("minAvailable"));
            assertThat(maps(podSpec(deployment).get("topologySpreadConstraints")))
                    .as("spread of %s", name(deployment))
                    .singleElement()
                    .satisfies(spread -> {
                        assertThat(spread)
                                .containsEntry("topologyKey", "kubernetes.io/hostname")
                                .containsEntry("whenUnsatisfiable", "ScheduleAnyway")
                                .containsEntry("maxSkew", 1);
                        assertThat(selects(map(spread.get("labelSelector")), deployment))
                                .as("counts the pods of its own Deployment")
                                .isTrue();
                    });
        }
    }

    /**
     * A HorizontalPodAutoscaler owns each Deployment's replicas (a Deployment that named them too would be reset
     * to that number at every apply): at least 2, at most the topics' partitions, past which a consumer idles.
     */
    @Test
    void anAutoscalerOwnsTheReplicasFromTwoUpToThePartitionCount() {
        Kustomization base = Kustomization.load(K8S.resolve("base"));
        int partitions = Integer.parseInt(literal(K8S.resolve("base"), "shopflow-config", "KAFKA_PARTITIONS"));
        Map<String, Object> job =
                Kustomization.load(K8S.resolve("kafka-topics")).objects("Job").getFirst();
        assertThat(maps(maps(podSpec(job).get("containers")).getFirst().get("env")))
                .as("the topics Job creates the partitions the services are told of")
                .contains(Map.of("name", "PARTITIONS", "value", String.valueOf(partitions)));
        for (Map<String, Object> deployment : base.objects("Deployment")) {
            assertThat(map(deployment.get("spec"))).as(name(deployment)).doesNotContainKey("replicas");
            List<Map<String, Object>> autoscalers = base.objects("HorizontalPodAutoscaler").stream()
                    .filter(hpa -> map(map(hpa.get("spec")).get("scaleTargetRef"))
                            .equals(Map.of("apiVersion", "apps/v1", "kind", "Deployment", "name", name(deployment))))
                    .toList();
            assertThat(autoscalers)
                    .as("autoscalers of %s", name(deployment))
                    .singleElement()
                    .satisfies(hpa -> {
                        Map<String, Object> spec = map(hpa.get("spec"));
                        assertThat(hpa).containsEntry("apiVersion", "autoscaling/v2");
                        assertThat(spec).containsEntry("minReplicas", 2).containsEntry("maxReplicas", partitions);
                        assertThat(maps(spec.get("metrics")))
                                .extracting(
                                        metric -> map(metric.get("resource")).get("name"))
                                .containsExactly("cpu");
                    });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "kafka-topics"})
    void everyPodRunsAsNonRootWithoutPrivilegeEscalation(String kustomization) {
        for (Map<String, Object> pod :
                Kustomization.load(K8S.resolve(kustomization)).podSpecs()) {
            assertThat(map(pod.get("securityContext"))).containsEntry("runAsNonRoot", true);
            for (Map<String, Object> container : maps(pod.get("containers"))) {
                assertThat(map(container.get("securityContext"))).containsEntry("allowPrivilegeEscalation", false);
                assertThat(map(container.get("resources"))).containsKeys("requests", "limits");
            }
        }
    }

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
        assertThat(kafkaInit)
                .contains(
                        "--replication-factor 1",
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

    @Test
    void composePublishesTheServicesThroughTheGatewaySoEachCanScale() {
        Map<String, Object> compose = compose();
        for (String service : SERVICES) {
            assertThat(service(compose, service))
                    .as("%s publishes no port of its own: a second instance could not bind it", service)
                    .doesNotContainKey("ports");
        }
        assertThat(service(compose, "gateway").get("ports"))
                .isEqualTo(List.of(
                        "127.0.0.1:${ORDER_PORT:-8080}:8080",
                        "127.0.0.1:${STOCK_PORT:-8081}:8081",
                        "127.0.0.1:${MAIL_PORT:-8082}:8082"));
        String haproxy = read(ROOT.resolve("deploy/gateway/haproxy.cfg"));
        List<String> ports = List.of("8080", "8081", "8082");
        for (int i = 0; i < SERVICES.size(); i++) {
            String service = SERVICES.get(i);
            assertThat(haproxy)
                    .contains(
                            "frontend " + service + "\n    bind :" + ports.get(i) + "\n    default_backend " + service)
                    .contains("backend " + service + "\n    server-template replica 1-10 " + service + ":8080");
        }
    }

    /**
     * The admin endpoints live on a port of their own (9081) that nothing publishes: not the gateway (which
     * forwards to the API port only), not compose, not a Kubernetes Service.
     */
    @Test
    void nothingPublishesTheAdminPort() throws Exception {
        String haproxy = read(ROOT.resolve("deploy/gateway/haproxy.cfg"));
        assertThat(haproxy).doesNotContain("9081");
        assertThat(String.valueOf(service(compose(), "gateway").get("ports"))).doesNotContain("9081");
        Kustomization base = Kustomization.load(K8S.resolve("base"));
        for (Map<String, Object> deployment : base.objects("Deployment")) {
            assertThat(containerPorts(deployment)).as(name(deployment)).contains("admin");
        }
        for (Map<String, Object> service : base.objects("Service")) {
            for (Map<String, Object> port : maps(map(service.get("spec")).get("ports"))) {
                assertThat(port.get("targetPort")).as(name(service)).isNotIn("admin", 9081);
            }
        }
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

    /**
     * Under overload the front door holds little and answers fast: each replica gets as many requests at once as
     * order-service admits, the next ones wait in a queue bounded in length and in time, and a request that finds
     * the queue full is refused at once with a problem+json 503 whose Retry-After spreads the retries.
     */
    @Test
    void theGatewayBoundsWhatItHoldsAndRefusesQuicklyUnderOverload() {
        List<String> lines = read(ROOT.resolve("deploy/gateway/haproxy.cfg"))
                .lines()
                .map(String::strip)
                .toList();
        assertThat(lines).contains("maxconn 4096", "timeout queue 2s", "timeout http-request 10s");
        assertThat(lines)
                .filteredOn(line -> line.startsWith("default-server "))
                .singleElement(as(InstanceOfAssertFactories.STRING))
                .contains(" maxconn 20");
        assertThat(read(ROOT.resolve("order-service/src/main/java/dev/shopflow/order/OrderServiceProperties.java")))
                .as("a replica gets from the gateway as many requests at once as it admits")
                .contains("@DefaultValue(\"20\") int maxConcurrent");
        assertThat(lines)
                .filteredOn(line ->
                        line.startsWith("http-error status 503 ") || line.startsWith("http-request return status 503 "))
                .hasSize(2)
                .allSatisfy(refusal -> assertThat(refusal)
                        .contains("content-type application/problem+json", "hdr Retry-After \"%[rand(5),add(1)]\"")
                        .contains("problems/overloaded"));
        assertThat(lines)
                .filteredOn(line -> line.startsWith("http-request return status 503 "))
                .singleElement(as(InstanceOfAssertFactories.STRING))
                .endsWith("if { queue(order-service) ge 64 }");
        assertThat(lines)
                .as("every replica takes at most the gateway's share: no server line overrides maxconn")
                .filteredOn(line -> line.startsWith("server-template "))
                .noneMatch(line -> line.contains("maxconn"));
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

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/example", "kafka-topics"})
    void kustomizeRendersIt(String kustomization) throws Exception {
        assumeTrue(onPath("kubectl"), "kubectl (with its built-in kustomize) is not installed");
        Path output = Files.createTempFile("kustomize", ".yaml");
        Process process = new ProcessBuilder(
                        "kubectl", "kustomize", K8S.resolve(kustomization).toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(read(output)).isZero();
        assertThat(yaml(output))
                .isNotEmpty()
                .allSatisfy(object -> assertThat(object).containsKeys("apiVersion", "kind", "metadata"));
    }

    /** A kustomization with everything it includes: objects from its resources, and generated ConfigMaps/Secrets. */
    record Kustomization(
            List<Map<String, Object>> objects, Map<String, Set<String>> configMaps, Map<String, Set<String>> secrets) {

        static Kustomization load(Path dir) {
            Path file = dir.resolve("kustomization.yaml");
            assertThat(file).as("kustomization in " + dir).exists();
            Map<String, Object> kustomization = yaml(file).getFirst();
            Kustomization result = new Kustomization(new ArrayList<>(), new HashMap<>(), new HashMap<>());
            for (String resource : strings(kustomization.get("resources"))) {
                Path path = dir.resolve(resource).normalize();
                assertThat(path).as("resource %s of %s", resource, file).exists();
                if (Files.isDirectory(path)) {
                    Kustomization included = load(path);
                    result.objects().addAll(included.objects());
                    result.configMaps().putAll(included.configMaps());
                    result.secrets().putAll(included.secrets());
                } else {
                    result.objects().addAll(yaml(path));
                }
            }
            result.objects().stream()
                    .filter(object -> object.get("kind").equals("ConfigMap"))
                    .forEach(object -> result.configMaps()
                            .put(name(object), map(object.get("data")).keySet()));
            generate(dir, maps(kustomization.get("configMapGenerator")), result.configMaps());
            generate(dir, maps(kustomization.get("secretGenerator")), result.secrets());
            return result;
        }

        private static void generate(Path dir, List<Map<String, Object>> generators, Map<String, Set<String>> into) {
            for (Map<String, Object> generator : generators) {
                Set<String> keys = into.computeIfAbsent(name(generator), name -> new LinkedHashSet<>());
                for (String literal : strings(generator.get("literals"))) {
                    keys.add(literal.substring(0, literal.indexOf('=')));
                }
                for (String envs : strings(generator.get("envs"))) {
                    Path file = dir.resolve(envs);
                    assertThat(file)
                            .as("env file of generator " + name(generator))
                            .exists();
                    read(file)
                            .lines()
                            .filter(line -> line.contains("=") && !line.startsWith("#"))
                            .forEach(line -> keys.add(line.substring(0, line.indexOf('='))));
                }
            }
        }

        List<Map<String, Object>> objects(String kind) {
            return objects.stream()
                    .filter(object -> object.get("kind").equals(kind))
                    .toList();
        }

        List<Map<String, Object>> podSpecs() {
            return objects.stream()
                    .filter(object -> Set.of("Deployment", "Job").contains(object.get("kind")))
                    .map(DeployManifestsTests::podSpec)
                    .toList();
        }
    }

    private static Map<String, Object> podSpec(Map<String, Object> workload) {
        return map(map(map(workload.get("spec")).get("template")).get("spec"));
    }

    private static Map<String, Object> podLabels(Map<String, Object> deployment) {
        return map(map(map(map(deployment.get("spec")).get("template")).get("metadata"))
                .get("labels"));
    }

    private static Set<Object> containerPorts(Map<String, Object> deployment) {
        Set<Object> ports = new LinkedHashSet<>();
        for (Map<String, Object> container : maps(podSpec(deployment).get("containers"))) {
            for (Map<String, Object> port : maps(container.get("ports"))) {
                ports.add(port.get("containerPort"));
                if (port.containsKey("name")) {
                    ports.add(port.get("name"));
                }
            }
        }
        return ports;
    }

    private static boolean selects(Map<String, Object> selector, Map<String, Object> deployment) {
        Map<String, Object> matchLabels = map(selector.get("matchLabels"));
        return !matchLabels.isEmpty() && podLabels(deployment).entrySet().containsAll(matchLabels.entrySet());
    }

    /**
     * A service's settings as it starts with them: the defaults every service shares (observability's
     * ServiceDefaults, lowest precedence) overlaid with the service's own application.yml.
     */
    private static Map<String, Object> applicationYml(String service) {
        return overlay(
                yaml(ROOT.resolve("observability/src/main/resources/shopflow-defaults.yml"))
                        .getFirst(),
                yaml(ROOT.resolve(service + "/src/main/resources/application.yml"))
                        .getFirst());
    }

    /** {@code base} with {@code top}'s values in their place, nested maps merged key by key. */
    private static Map<String, Object> overlay(Map<String, Object> base, Map<String, Object> top) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        top.forEach((key, value) -> merged.merge(
                key,
                value,
                (under, over) -> under instanceof Map<?, ?> && over instanceof Map<?, ?>
                        ? overlay(map(under), map(over))
                        : over));
        return merged;
    }

    /** A literal of a ConfigMap generator in a kustomization. */
    private static String literal(Path kustomization, String configMap, String key) {
        Map<String, Object> generator =
                maps(yaml(kustomization.resolve("kustomization.yaml"))
                                .getFirst()
                                .get("configMapGenerator"))
                        .stream()
                        .filter(candidate -> name(candidate).equals(configMap))
                        .findFirst()
                        .orElseThrow();
        return strings(generator.get("literals")).stream()
                .filter(literal -> literal.startsWith(key + "="))
                .map(literal -> literal.substring(key.length() + 1))
                .findFirst()
                .orElseThrow(() -> new AssertionError(key + " is not set in " + configMap));
    }

    /** Whole seconds of a Spring Boot duration such as {@code 30s} or {@code 1m}. */
    private static int seconds(Object duration) {
        Matcher value = DURATION.matcher(String.valueOf(duration));
        assertThat(value.matches()).as("a duration in s or m: %s", duration).isTrue();
        return Integer.parseInt(value.group(1)) * (value.group(2).equals("m") ? 60 : 1);
    }

    private static Map<String, Object> compose() {
        return yaml(ROOT.resolve("docker-compose.yml")).getFirst();
    }

    private static Map<String, Object> service(Map<String, Object> compose, String name) {
        return map(map(compose.get("services")).get(name));
    }

    private static Set<String> topicLoop(String script) {
        Matcher loop = TOPIC_LOOP.matcher(script);
        assertThat(loop.find()).as("a 'for topic in ...' loop in %s", script).isTrue();
        return new TreeSet<>(List.of(loop.group(1).trim().split("\\s+")));
    }

    private static String name(Object object) {
        Map<String, Object> map = map(object);
        return String.valueOf(
                map.containsKey("metadata") ? map(map.get("metadata")).get("name") : map.get("name"));
    }

    private static List<Map<String, Object>> yaml(Path file) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new Yaml().loadAll(read(file))) {
            if (document != null) {
                documents.add(map(document));
            }
        }
        return documents;
    }

    /** A service's own application.yml and the defaults every service shares (observability's ServiceDefaults). */
    private static String settings(String service) {
        return read(ROOT.resolve(service + "/src/main/resources/application.yml")) + "\n"
                + read(ROOT.resolve("observability/src/main/resources/shopflow-defaults.yml"));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean onPath(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }
}
