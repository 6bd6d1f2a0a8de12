package dev.shopflow.e2e;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * How often each relay re-read its outbox (a Debezium snapshot that found rows) since its service started, from the
 * counter {@code shopflow_outbox_relay_snapshots_total} on the service's management port. The first start's read of
 * an empty outbox does not count; a lost slot, or a failover that did not find its slot, does.
 */
final class RelaySnapshots {

    private RelaySnapshots() {}

    static Map<String, Long> count(Compose compose) {
        Map<String, Long> snapshots = new TreeMap<>();
        for (String service : new String[] {"order-service", "stock-service"}) {
            String metrics = compose.output(
                    Duration.ofSeconds(30),
                    "exec",
                    "-T",
                    service,
                    "curl",
                    "-fsS",
                    "http://localhost:9080/actuator/prometheus");
            snapshots.put(
                    service,
                    metrics.lines()
                            .filter(line -> line.startsWith("shopflow_outbox_relay_snapshots_total"))
                            .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                            .sum());
        }
        return snapshots;
    }
}
