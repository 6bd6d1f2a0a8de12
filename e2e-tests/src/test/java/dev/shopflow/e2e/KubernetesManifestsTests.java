package dev.shopflow.e2e;

import static dev.shopflow.e2e.DeployFiles.K8S;
import static dev.shopflow.e2e.DeployFiles.read;
import static dev.shopflow.e2e.DeployFiles.yaml;
import static dev.shopflow.e2e.Manifests.containerPorts;
import static dev.shopflow.e2e.Manifests.name;
import static dev.shopflow.e2e.Manifests.podLabels;
import static dev.shopflow.e2e.Yamls.map;
import static dev.shopflow.e2e.Yamls.maps;
import static dev.shopflow.e2e.Yamls.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kustomize tree under {@code deploy/k8s}, checked without a cluster: complete (every resource and generator
 * file there, every ConfigMap and Secret a pod uses defined), consistent (selectors, ports), non-root, and rendered by
 * {@code kubectl kustomize} where it is installed.
 */
class KubernetesManifestsTests {

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/example", "kafka-topics", "postgres"})
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

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/example", "kafka-topics", "postgres"})
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

    private static boolean onPath(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }
}
