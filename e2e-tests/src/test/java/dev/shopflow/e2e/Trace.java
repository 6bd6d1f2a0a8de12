package dev.shopflow.e2e;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/** One trace's spans as Zipkin gives them ({@link Ops#trace}), each named "service span" in lower case. */
record Trace(List<JsonNode> spans) {

    static String name(JsonNode span) {
        return span.path("localEndpoint").path("serviceName").asString() + " "
                + span.path("name").asString();
    }

    Set<String> names() {
        return spans.stream().map(Trace::name).collect(Collectors.toSet());
    }

    /** The first span of each name. */
    Map<String, JsonNode> byName() {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        spans.forEach(span -> byName.putIfAbsent(name(span), span));
        return byName;
    }

    /** The ids of a span's parent, its parent, and so on, as far as the trace has them. */
    List<String> ancestors(JsonNode span) {
        Map<String, JsonNode> byId = new HashMap<>();
        spans.forEach(each -> byId.put(each.path("id").asString(), each));
        List<String> ids = new ArrayList<>();
        for (JsonNode parent = byId.get(span.path("parentId").asString());
                parent != null && !ids.contains(parent.path("id").asString());
                parent = byId.get(parent.path("parentId").asString())) {
            ids.add(parent.path("id").asString());
        }
        return ids;
    }
}
