package dev.shopflow.e2e;

import static dev.shopflow.e2e.FaultClock.log;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A fault run over the whole system as Compose runs it, images built from this working tree: orders at a steady rate
 * ({@link FaultTraffic}) while one fault after the other hits the stack, then the checks a customer and the shop
 * would make ({@link FaultCheck}). Two stacks:
 *
 * <ul>
 *   <li>the default ({@code docker-compose.yml}): Kafka killed, PostgreSQL restarted, each service killed, the relay
 *       leader black-holed, both relays' slots invalidated ({@link SingleNodeFaults});
 *   <li>{@code -Dfaults.stack=ha} ({@code docker-compose.ha.yml} over it): a partition leader broker killed, a second
 *       broker stopped for a minute, the PostgreSQL primary stopped and its standby promoted ({@link ClusterFaults}).
 * </ul>
 *
 * Not a test, so that {@code ./mvnw verify} never runs it:
 *
 * <pre>./mvnw -q -pl e2e-tests test-compile exec:java -Dexec.mainClass=dev.shopflow.e2e.FaultRun [-Dfaults.stack=ha]</pre>
 *
 * <p>Settings (system properties): {@code faults.rate} (orders/s, default 5), {@code faults.limitMinutes} (the whole
 * run, default 40: then it tears down and exits 3). Exits 0 when nothing was lost, stuck or invented, 1 otherwise.
 */
final class FaultRun {

    private static final Path ROOT =
            Path.of(System.getProperty("shopflow.root", "..")).toAbsolutePath().normalize();
    private static final Path LOGS = ROOT.resolve("e2e-tests/target/faults");
    /** Relayed rows stay 30 s instead of an hour, so that the single-node run's last outage outlasts retention. */
    private static final Duration OUTBOX_RETENTION = Duration.ofSeconds(30);

    private final Compose compose;
    private final Faults faults;
    private final int rate;
    private final String title;

    private FaultRun(Compose compose, Faults faults, int rate, String title) {
        this.compose = compose;
        this.faults = faults;
        this.rate = rate;
        this.title = title;
    }

    public static void main(String[] args) {
        int rate = Integer.parseInt(System.getProperty("faults.rate", "5"));
        Duration limit = Duration.ofMinutes(Long.parseLong(System.getProperty("faults.limitMinutes", "40")));
        boolean ha = "ha".equals(System.getProperty("faults.stack", "default"));
        Compose compose = new Compose(ha ? "shopflow-faults-ha" : "shopflow-faults", ROOT, LOGS)
                .withEnv("OUTBOX_RETENTION", OUTBOX_RETENTION.toSeconds() + "s");
        if (ha) {
            compose.withFile("docker-compose.ha.yml");
        }
        Faults faults = ha ? new ClusterFaults(compose) : new SingleNodeFaults(compose, OUTBOX_RETENTION);
        String title = "Fault run %s%s, %d orders/s".formatted(FaultTraffic.RUN, ha ? " (HA stack)" : "", rate);
        compose.runAndExit("Fault run", limit, FaultClock::log, () -> new FaultRun(compose, faults, rate, title).run());
    }

    private boolean run() throws Exception {
        log("building the images and starting the stack");
        compose.run(Duration.ofMinutes(2), "down", "--volumes", "--remove-orphans");
        compose.up(Duration.ofMinutes(20), Duration.ofMinutes(10));
        Shop shop = new Shop(
                compose, compose.port("ORDER_PORT"), compose.port("STOCK_PORT"), compose.port("GREENMAIL_API_PORT"));
        FaultTraffic traffic = new FaultTraffic(shop, rate);
        FaultCheck check = new FaultCheck(compose, shop, traffic, faults);
        Map<String, Integer> stockBefore = check.stockLevels();
        log("stack healthy; stock " + stockBefore + "; placing %d orders/s".formatted(rate));

        traffic.start();
        faults.inject();
        traffic.stop();
        log("traffic stopped: %d orders accepted, %d attempts failed and were retried, %d orders given up"
                .formatted(traffic.accepted().size(), traffic.failedAttempts(), traffic.gaveUp()));

        return check.check(title, stockBefore);
    }
}
