package dev.shopflow.e2e;

import static dev.shopflow.e2e.Yamls.map;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * The repository's deployment files as the deployment checks read them: {@code docker-compose.yml}, the Kustomize
 * tree under {@code deploy/k8s}, and each service's settings as it starts with them.
 */
final class DeployFiles {

    static final Path ROOT =
            Path.of(System.getProperty("shopflow.root", "..")).toAbsolutePath().normalize();
    static final Path K8S = ROOT.resolve("deploy/k8s");
    static final List<String> SERVICES = List.of("order-service", "stock-service", "mail-service");

    private DeployFiles() {}

    static Map<String, Object> compose() {
        return yaml(ROOT.resolve("docker-compose.yml")).getFirst();
    }

    static Map<String, Object> service(Map<String, Object> compose, String name) {
        return map(map(compose.get("services")).get(name));
    }

    /**
     * A service's settings as it starts with them: the defaults every service shares (observability's
     * ServiceDefaults, lowest precedence) overlaid with the service's own application.yml.
     */
    static Map<String, Object> applicationYml(String service) {
        return overlay(
                yaml(ROOT.resolve("observability/src/main/resources/shopflow-defaults.yml"))
                        .getFirst(),
                yaml(ROOT.resolve(service + "/src/main/resources/application.yml"))
                        .getFirst());
    }

    /** {@code base} with {@code top}'s values in their place, nested maps merged key by key. */
    static Map<String, Object> overlay(Map<String, Object> base, Map<String, Object> top) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        // put, not merge: YAML has null values (a compose volume with no settings)
        top.forEach((key, over) -> {
            Object under = merged.get(key);
            merged.put(
                    key,
                    under instanceof Map<?, ?> && over instanceof Map<?, ?> ? overlay(map(under), map(over)) : over);
        });
        return merged;
    }

    /** A service's own application.yml and the defaults every service shares (observability's ServiceDefaults). */
    static String settings(String service) {
        return read(ROOT.resolve(service + "/src/main/resources/application.yml")) + "\n"
                + read(ROOT.resolve("observability/src/main/resources/shopflow-defaults.yml"));
    }

    static List<Map<String, Object>> yaml(Path file) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new Yaml().loadAll(read(file))) {
            if (document != null) {
                documents.add(map(document));
            }
        }
        return documents;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
