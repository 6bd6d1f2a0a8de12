package dev.shopflow.e2e;

import static dev.shopflow.e2e.DeployFiles.K8S;
import static dev.shopflow.e2e.DeployFiles.SERVICES;
import static dev.shopflow.e2e.DeployFiles.applicationYml;
import static dev.shopflow.e2e.DeployFiles.service;
import static dev.shopflow.e2e.Manifests.containerPorts;
import static dev.shopflow.e2e.Manifests.name;
import static dev.shopflow.e2e.Manifests.podSpec;
import static dev.shopflow.e2e.Manifests.selects;
import static dev.shopflow.e2e.Yamls.map;
import static dev.shopflow.e2e.Yamls.maps;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * How the Kubernetes Deployments keep the services available: probes on the API port, a graceful stop within the
 * grace period, replicas spread over nodes and disrupted one at a time, and an autoscaler that owns the replicas.
 */
class KubernetesAvailabilityTests {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(s|m)");
    /** Spring Boot's default for {@code spring.lifecycle.timeout-per-shutdown-phase}. */
    private static final String BOOT_SHUTDOWN_TIMEOUT = "30s";

    private static final int PRE_STOP_PAUSE = 5;

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
        int partitions =
                Integer.parseInt(Kustomization.literal(K8S.resolve("base"), "shopflow-config", "KAFKA_PARTITIONS"));
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

    /** Whole seconds of a Spring Boot duration such as {@code 30s} or {@code 1m}. */
    private static int seconds(Object duration) {
        Matcher value = DURATION.matcher(String.valueOf(duration));
        assertThat(value.matches()).as("a duration in s or m: %s", duration).isTrue();
        return Integer.parseInt(value.group(1)) * (value.group(2).equals("m") ? 60 : 1);
    }
}
