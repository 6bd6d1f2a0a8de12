package dev.shopflow.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/** The compose stack's {@code ops} profile from outside: Zipkin's and Prometheus' HTTP APIs. */
final class Ops {

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final String zipkin;
    private final String prometheus;

    Ops(int zipkinPort, int prometheusPort) {
        this.zipkin = "http://127.0.0.1:" + zipkinPort;
        this.prometheus = "http://127.0.0.1:" + prometheusPort;
    }

    /** The spans Zipkin holds for a trace (none yet: empty). */
    List<JsonNode> trace(String traceId) {
        HttpResponse<String> response = get(zipkin + "/api/v2/trace/" + traceId);
        if (response.statusCode() == 404) {
            return List.of();
        }
        return Shop.parse(response).valueStream().toList();
    }

    /** Prometheus' scrape targets ({@code /api/v1/targets}, active ones). */
    List<JsonNode> targets() {
        return Shop.parse(get(prometheus + "/api/v1/targets"))
                .path("data")
                .path("activeTargets")
                .valueStream()
                .toList();
    }

    /** The alerting rules Prometheus has loaded. */
    List<JsonNode> alertRules() {
        return Shop.parse(get(prometheus + "/api/v1/rules?type=alert"))
                .path("data")
                .path("groups")
                .valueStream()
                .flatMap(group -> group.path("rules").valueStream())
                .toList();
    }

    /**
     * The metric names Prometheus has scraped from the services (job {@code shopflow}): what their
     * {@code /actuator/prometheus} on the unpublished management port exposes.
     */
    Set<String> scrapedMetricNames() {
        String match = URLEncoder.encode("{job=\"shopflow\"}", StandardCharsets.UTF_8);
        return Shop.parse(get(prometheus + "/api/v1/label/__name__/values?match[]=" + match))
                .path("data")
                .valueStream()
                .map(JsonNode::asString)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private HttpResponse<String> get(String uri) {
        try {
            return http.send(
                    HttpRequest.newBuilder(URI.create(uri))
                            .timeout(Duration.ofSeconds(10))
                            .GET()
                            .build(),
                    BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("GET " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
