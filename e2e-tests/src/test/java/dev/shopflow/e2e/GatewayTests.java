package dev.shopflow.e2e;

import static dev.shopflow.e2e.DeployFiles.K8S;
import static dev.shopflow.e2e.DeployFiles.ROOT;
import static dev.shopflow.e2e.DeployFiles.SERVICES;
import static dev.shopflow.e2e.DeployFiles.compose;
import static dev.shopflow.e2e.DeployFiles.read;
import static dev.shopflow.e2e.DeployFiles.service;
import static dev.shopflow.e2e.Manifests.containerPorts;
import static dev.shopflow.e2e.Manifests.name;
import static dev.shopflow.e2e.Yamls.map;
import static dev.shopflow.e2e.Yamls.maps;
import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

/**
 * The compose gateway ({@code deploy/gateway/haproxy.cfg}) as the front door: it publishes the services so that each
 * can scale, never the admin port, and bounds what it holds under overload.
 */
class GatewayTests {

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
}
