package dev.shopflow.e2e;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/** The outbox relay's role on each instance of a scaled service, from its health on the unpublished management port. */
final class RelayRoles {

    private final Compose compose;

    RelayRoles(Compose compose) {
        this.compose = compose;
    }

    /** Each instance's role ("leader", "standby", or "down"), instance 1 first. */
    List<String> of(String service, int instances) {
        return IntStream.rangeClosed(1, instances)
                .mapToObj(index -> relayRole(service, index))
                .toList();
    }

    private String relayRole(String service, int index) {
        Compose.Result health = compose.tryRun(
                Duration.ofSeconds(30),
                "exec",
                "-T",
                "--index",
                Integer.toString(index),
                service,
                "curl",
                "-sS",
                "localhost:9080/actuator/health/outboxRelay");
        if (health.exitCode() != 0) {
            return "down";
        }
        return Shop.json(health.output()).path("details").path("role").asString("down");
    }
}
