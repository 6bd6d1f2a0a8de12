package dev.shopflow.e2e;

import static dev.shopflow.e2e.Yamls.map;
import static dev.shopflow.e2e.Yamls.maps;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** Kubernetes objects (and compose services, generators) as SnakeYAML loads them: names, pod specs, labels, ports. */
final class Manifests {

    private Manifests() {}

    static String name(Object object) {
        Map<String, Object> map = map(object);
        return String.valueOf(
                map.containsKey("metadata") ? map(map.get("metadata")).get("name") : map.get("name"));
    }

    static Map<String, Object> podSpec(Map<String, Object> workload) {
        return map(map(map(workload.get("spec")).get("template")).get("spec"));
    }

    static Map<String, Object> podLabels(Map<String, Object> deployment) {
        return map(map(map(map(deployment.get("spec")).get("template")).get("metadata"))
                .get("labels"));
    }

    static Set<Object> containerPorts(Map<String, Object> deployment) {
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

    static boolean selects(Map<String, Object> selector, Map<String, Object> deployment) {
        Map<String, Object> matchLabels = map(selector.get("matchLabels"));
        return !matchLabels.isEmpty() && podLabels(deployment).entrySet().containsAll(matchLabels.entrySet());
    }
}
