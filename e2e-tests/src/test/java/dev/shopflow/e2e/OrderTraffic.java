package dev.shopflow.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code POST /orders} under load, two ways: a closed loop (a fixed number of clients, each sending its next order
 * when the last one is answered: how much the API takes) and an open loop (orders started when they are due at a
 * fixed rate, whatever the answers: what a steady stream of customers does). Every order has its own
 * Idempotency-Key; the orders of one run share a customer and a recipient, so the benchmark can find them in the
 * databases and count their mails.
 */
final class OrderTraffic {

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** A request more than this late when the scheduler gets to it is not sent: the load would come in bursts. */
    static final Duration TOO_LATE = Duration.ofSeconds(1);

    private static final List<String> PRODUCTS = List.of("SKU-1001", "SKU-2002", "SKU-3003", "SKU-4004");

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final URI orders;
    private final AtomicLong sequence = new AtomicLong();

    OrderTraffic(int orderPort) {
        this.orders = URI.create("http://127.0.0.1:" + orderPort + "/orders");
    }

    /** The orders a run placed: id → when its POST was sent (epoch microseconds), with the answers' latencies. */
    record Placed(
            Map<String, Long> sentAt, long[] latencyMicros, int dropped, int failed, Map<Integer, Integer> failures) {

        int accepted() {
            return sentAt.size();
        }
    }

    /** A closed loop of {@code clients} clients for {@code duration}. */
    Placed closedLoop(int clients, Duration duration, String customer) throws InterruptedException {
        Recorder recorder = new Recorder();
        long end = System.nanoTime() + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            threads.add(Thread.ofPlatform().name("closed-loop-" + i).start(() -> {
                while (System.nanoTime() < end) {
                    long sentAt = epochMicros();
                    long start = System.nanoTime();
                    try {
                        HttpResponse<String> response = http.send(request(customer), BodyHandlers.ofString());
                        recorder.answered(response, sentAt, start);
                    } catch (IOException e) {
                        recorder.failed(-1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return recorder.placed(0);
    }

    /**
     * An open loop: {@code rate} orders a second for {@code duration}, the i-th started at start + i/rate. A request
     * is dropped (not sent) when {@code maxInFlight} requests are already waiting for an answer, or when the
     * scheduler is more than {@link #TOO_LATE} behind. Returns once every sent request is answered or timed out.
     */
    Placed openLoop(int rate, Duration duration, int maxInFlight, String customer) throws InterruptedException {
        Recorder recorder = new Recorder();
        Semaphore inFlight = new Semaphore(maxInFlight);
        long count = rate * duration.toSeconds();
        int dropped = 0;
        long start = System.nanoTime();
        for (long i = 0; i < count; i++) {
            long due = start + i * 1_000_000_000L / rate;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            if (System.nanoTime() - due > TOO_LATE.toNanos() || !inFlight.tryAcquire()) {
                dropped++;
                continue;
            }
            long sentAt = epochMicros();
            long sent = System.nanoTime();
            http.sendAsync(request(customer), BodyHandlers.ofString()).whenComplete((response, error) -> {
                if (response != null) {
                    recorder.answered(response, sentAt, sent);
                } else {
                    recorder.failed(-1);
                }
                inFlight.release();
            });
        }
        if (!inFlight.tryAcquire(maxInFlight, REQUEST_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)) {
            throw new IllegalStateException("Requests still unanswered " + REQUEST_TIMEOUT + " after the last one");
        }
        return recorder.placed(dropped);
    }

    /** The order body for a run: one line, one of the demo products in turn, quantity 1. */
    static String body(String customer, long n) {
        return "{\"customerId\":\"%s\",\"customerEmail\":\"%s\",\"lines\":[{\"productId\":\"%s\",\"quantity\":1,\"unitPrice\":5.00}]}"
                .formatted(customer, email(customer), PRODUCTS.get((int) (n % PRODUCTS.size())));
    }

    static String email(String customer) {
        return customer + "@bench.shopflow.dev";
    }

    static List<String> products() {
        return PRODUCTS;
    }

    private HttpRequest request(String customer) {
        return HttpRequest.newBuilder(orders)
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "bench-" + UUID.randomUUID())
                .POST(HttpRequest.BodyPublishers.ofString(body(customer, sequence.getAndIncrement())))
                .build();
    }

    static long epochMicros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }

    /** Collects answers from many threads. */
    private static final class Recorder {

        private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
        private final Map<Integer, Integer> failures = new ConcurrentHashMap<>();
        private final AtomicInteger failed = new AtomicInteger();
        private long[] latencies = new long[1024];
        private int size;

        void answered(HttpResponse<String> response, long sentAtMicros, long sentNanos) {
            long latency = (System.nanoTime() - sentNanos) / 1000;
            if (response.statusCode() != 201) {
                failed(response.statusCode());
                return;
            }
            sentAt.put(Shop.json(response.body()).path("id").asString(), sentAtMicros);
            synchronized (this) {
                if (size == latencies.length) {
                    latencies = Arrays.copyOf(latencies, size * 2);
                }
                latencies[size++] = latency;
            }
        }

        /** @param status the HTTP status, or -1 for no answer (timeout, connection refused or reset) */
        void failed(int status) {
            failed.incrementAndGet();
            failures.merge(status, 1, Integer::sum);
        }

        synchronized Placed placed(int dropped) {
            long[] sorted = Arrays.copyOf(latencies, size);
            Arrays.sort(sorted);
            return new Placed(Map.copyOf(sentAt), sorted, dropped, failed.get(), Map.copyOf(failures));
        }
    }
}
