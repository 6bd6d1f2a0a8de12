package dev.shopflow.e2e;

import static dev.shopflow.e2e.DeployFiles.read;
import static dev.shopflow.e2e.DeployFiles.yaml;
import static dev.shopflow.e2e.Manifests.name;
import static dev.shopflow.e2e.Yamls.map;
import static dev.shopflow.e2e.Yamls.maps;
import static dev.shopflow.e2e.Yamls.strings;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
                assertThat(file).as("env file of generator " + name(generator)).exists();
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
                .map(Manifests::podSpec)
                .toList();
    }

    /** A literal of a ConfigMap generator in a kustomization. */
    static String literal(Path kustomization, String configMap, String key) {
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
}
