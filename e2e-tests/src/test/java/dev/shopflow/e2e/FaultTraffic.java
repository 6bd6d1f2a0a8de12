package dev.shopflow.e2e;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The fault run's customers: {@code rate} orders a second, each from a customer of its own, cycling through the demo
 * products (quantity 1); a client that gets no answer or a {@code 5xx} retries every 500 ms with the same
 * Idempotency-Key, for at most 4 minutes.
 */
final class FaultTraffic {

    static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final Duration ORDER_PATIENCE = Duration.ofMinutes(4);

    private final Shop shop;
    private final int rate;
    private final Map<String, Placed> accepted = new ConcurrentHashMap<>();
    private final AtomicInteger failedAttempts = new AtomicInteger();
    private final AtomicInteger gaveUp = new AtomicInteger();
    private volatile boolean on = true;
    private Thread traffic;

    record Placed(String id, String product, String email, Instant at) {}

    FaultTraffic(Shop shop, int rate) {
        this.shop = shop;
        this.rate = rate;
    }

    void start() {
        traffic = Thread.ofPlatform().name("fault-run-traffic").start(this::placeOrders);
    }

    /** Stops placing orders and waits for every client to be accepted or give up. */
    void stop() throws InterruptedException {
        on = false;
        traffic.join();
    }

    Map<String, Placed> accepted() {
        return accepted;
    }

    int failedAttempts() {
        return failedAttempts.get();
    }

    int gaveUp() {
        return gaveUp.get();
    }

    private void placeOrders() {
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            long start = System.nanoTime();
            for (long n = 0; on; n++) {
                long due = start + n * 1_000_000_000L / rate;
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
                long number = n;
                clients.execute(() -> placeOne(number));
            }
        }
    }

    private void placeOne(long n) {
        String product =
                OrderTraffic.products().get((int) (n % OrderTraffic.products().size()));
        String customer = "faults-" + RUN + "-" + n;
        String email = customer + "@faults.shopflow.dev";
        String body =
                "{\"customerId\":\"%s\",\"customerEmail\":\"%s\",\"lines\":[{\"productId\":\"%s\",\"quantity\":1,\"unitPrice\":5.00}]}"
                        .formatted(customer, email, product);
        long giveUp = System.nanoTime() + ORDER_PATIENCE.toNanos();
        while (System.nanoTime() < giveUp) {
            Optional<HttpResponse<String>> response = shop.tryPlace(customer, body);
            if (response.isPresent() && response.get().statusCode() == 201) {
                accepted.put(
                        customer,
                        new Placed(
                                Shop.json(response.get().body()).path("id").asString(), product, email, Instant.now()));
                return;
            }
            if (response.isPresent() && response.get().statusCode() < 500) {
                throw new IllegalStateException("order refused: "
                        + response.get().statusCode() + " " + response.get().body());
            }
            failedAttempts.incrementAndGet();
            LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
        }
        gaveUp.incrementAndGet();
    }
}
