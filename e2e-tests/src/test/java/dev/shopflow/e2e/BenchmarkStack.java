package dev.shopflow.e2e;

import static dev.shopflow.e2e.Figures.seconds;
import static dev.shopflow.e2e.Progress.progress;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The system the pipeline benchmark measures, as {@code docker-compose.yml} runs it: images built from the working
 * tree, started (compose project {@code shopflow-bench}, free host ports) until healthy, the four demo products
 * restocked; and the clients that talk to it.
 *
 * @param settledAtColumn whether this version has {@code orders.settled_at} (older ones do not)
 */
record BenchmarkStack(
        Compose compose,
        Shop shop,
        OrderTraffic traffic,
        Completions completions,
        String postgresVersion,
        boolean settledAtColumn) {

    private static final int RESTOCK = 1_000_000;

    static BenchmarkStack start(Compose compose, Path logs) {
        progress("building the images and starting the stack (compose project shopflow-bench, logs in " + logs + ")");
        compose.run(Duration.ofMinutes(2), "down", "--volumes", "--remove-orphans");
        long upStart = System.nanoTime();
        compose.up(Duration.ofMinutes(20), Duration.ofMinutes(10));
        progress("stack healthy after %.0f s".formatted(seconds(System.nanoTime() - upStart)));
        Shop shop = new Shop(
                compose, compose.port("ORDER_PORT"), compose.port("STOCK_PORT"), compose.port("GREENMAIL_API_PORT"));
        OrderTraffic traffic = new OrderTraffic(compose.port("ORDER_PORT"));
        for (String product : OrderTraffic.products()) {
            shop.restock(product, RESTOCK);
        }
        String postgresVersion =
                compose.psql("orders", "orders", "show server_version").strip();
        boolean settledAtColumn = compose.psql(
                        "orders",
                        "orders",
                        "select count(*) from information_schema.columns"
                                + " where table_name = 'orders' and column_name = 'settled_at'")
                .strip()
                .equals("1");
        if (!settledAtColumn) {
            progress("orders.settled_at does not exist in this version: POST -> settled is not measured, and an order"
                    + " counts as settled when it is no longer PENDING when its step is evaluated");
        }
        return new BenchmarkStack(
                compose,
                shop,
                traffic,
                new Completions(compose, shop, settledAtColumn),
                postgresVersion,
                settledAtColumn);
    }

    /** A query with psql inside the postgres container, as the database's own user (compose default passwords). */
    String psql(String database, String user, String sql) {
        return compose.psql(database, user, sql);
    }
}
