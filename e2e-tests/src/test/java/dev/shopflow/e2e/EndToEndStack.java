package dev.shopflow.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The compose project {@link SystemEndToEndTest} runs its scenarios on: built from this working tree and started
 * with the {@code ops} profile, every service healthy; what it looked like printed when a scenario failed; torn down.
 */
record EndToEndStack(Compose compose, Shop shop, Ops ops, Customers customers, KafkaGroups groups) {

    private static final Path ROOT =
            Path.of(System.getProperty("shopflow.root", "..")).toAbsolutePath().normalize();

    private static final long STARTED = System.nanoTime();

    /** The project, on free host ports; nothing is started yet. */
    static Compose project() {
        return new Compose("shopflow-e2e", ROOT, ROOT.resolve("e2e-tests/target/e2e")).withProfiles("ops");
    }

    /** Starts the project afresh (whatever an earlier run left behind is removed first) and waits until healthy. */
    static EndToEndStack start(Compose compose) {
        compose.run(Duration.ofMinutes(2), "down", "--volumes", "--remove-orphans");
        compose.up(Duration.ofMinutes(15), Duration.ofMinutes(7));
        log("built and started, every service healthy");
        Shop shop = new Shop(
                compose, compose.port("ORDER_PORT"), compose.port("STOCK_PORT"), compose.port("GREENMAIL_API_PORT"));
        return new EndToEndStack(
                compose,
                shop,
                new Ops(compose.port("ZIPKIN_PORT"), compose.port("PROMETHEUS_PORT")),
                new Customers(shop, compose),
                new KafkaGroups(compose));
    }

    /** Prints the containers' states and the services' last log lines, to tell why a scenario failed. */
    static void printState(Compose compose) {
        System.out.println(compose.tryRun(Duration.ofSeconds(30), "ps", "--all").output());
        for (String service : List.of("order-service", "stock-service", "mail-service", "kafka-init")) {
            System.out.println(compose.tryRun(Duration.ofSeconds(30), "logs", "--no-color", "--tail", "150", service)
                    .output());
        }
    }

    static void tearDown(Compose compose) {
        compose.run(Duration.ofMinutes(2), "down", "--volumes", "--remove-orphans");
    }

    /** A line of the test's progress, with the seconds since it started. */
    static void log(String message) {
        System.out.printf(
                "[e2e] %3ds %s%n", Duration.ofNanos(System.nanoTime() - STARTED).toSeconds(), message);
    }
}
