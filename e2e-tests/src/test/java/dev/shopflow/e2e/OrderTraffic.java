package dev.shopflow.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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

    /** A request's outcome when it got no HTTP answer: no answer within {@link #REQUEST_TIMEOUT}. */
    static final int TIMEOUT = -1;
    /** No connection: refused, reset, or not made within the connect timeout. */
    static final int CONNECTION_ERROR = -2;
    /** An open loop's request that was not sent: {@code maxInFlight} reached, or the scheduler too late. */
    static final int NOT_SENT = -3;

    /**
     * One request of a run: when it was sent (or due, if it was not sent), epoch microseconds; its HTTP status or
     * {@link #TIMEOUT}, {@link #CONNECTION_ERROR}, {@link #NOT_SENT}; sent → answer (or failure) in microseconds.
     */
    record Request(long sentAtMicros, int status, long latencyMicros) {}

    /**
     * The orders a run placed: id → when its POST was sent (epoch microseconds), with the answers' latencies; and
     * every request of the run, for the figures that need more than the accepted ones.
     *
     * @param failures answers other than 201 by status; -1 for no answer (timeout or connection error)
     */
    record Placed(
            Map<String, Long> sentAt,
            long[] latencyMicros,
            int dropped,
            int failed,
            Map<Integer, Integer> failures,
            List<Request> requests) {

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
                        recorder.failed(e, sentAt, start);
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
        return recorder.placed();
    }

    /**
     * An open loop: {@code rate} orders a second for {@code duration}, the i-th started at start + i/rate. A request
     * is dropped (not sent) when {@code maxInFlight} requests are already waiting for an answer, or when the
     * scheduler is more than {@link #TOO_LATE} behind. Returns once every sent request is answered or timed out.
     */
    Placed openLoop(int rate, Duration duration, int maxInFlight, String customer) throws InterruptedException {
        return send(rate, duration, maxInFlight, customer).answers();
    }

    /**
     * Sends an open loop's requests as {@link #openLoop} does, at any rate above 0, and returns at its end (start +
     * {@code duration}) without waiting for the answers: another loop can follow at once, as the overload phase's
     * recovery follows its spike, while the first loop's last requests are still in flight.
     */
    OpenLoop send(double rate, Duration duration, int maxInFlight, String customer) throws InterruptedException {
        Recorder recorder = new Recorder();
        Semaphore inFlight = new Semaphore(maxInFlight);
        long count = (long) Math.floor(rate * duration.toNanos() / 1e9);
        long start = System.nanoTime();
        long startMicros = epochMicros();
        for (long i = 0; i < count; i++) {
            long due = start + (long) (i * 1e9 / rate);
            parkUntil(due);
            if (System.nanoTime() - due > TOO_LATE.toNanos() || !inFlight.tryAcquire()) {
                recorder.notSent(startMicros + (due - start) / 1000);
                continue;
            }
            long sentAt = epochMicros();
            long sent = System.nanoTime();
            http.sendAsync(request(customer), BodyHandlers.ofString()).whenComplete((response, error) -> {
                try {
                    if (response != null) {
                        recorder.answered(response, sentAt, sent);
                    } else {
                        recorder.failed(error, sentAt, sent);
                    }
                } finally {
                    inFlight.release();
                }
            });
        }
        parkUntil(start + duration.toNanos());
        return new OpenLoop(recorder, inFlight, maxInFlight, start, startMicros, duration);
    }

    /**
     * An open loop whose requests have all been sent (or dropped); its answers may still be coming.
     *
     * @param startNanos its start, System.nanoTime
     * @param startMicros its start, epoch microseconds
     */
    record OpenLoop(
            Recorder recorder,
            Semaphore inFlight,
            int maxInFlight,
            long startNanos,
            long startMicros,
            Duration duration) {

        long endNanos() {
            return startNanos + duration.toNanos();
        }

        long endMicros() {
            return startMicros + duration.toNanos() / 1000;
        }

        /** Waits until every sent request is answered or timed out. */
        Placed answers() throws InterruptedException {
            if (!inFlight.tryAcquire(maxInFlight, REQUEST_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("Requests still unanswered " + REQUEST_TIMEOUT + " after the last one");
            }
            inFlight.release(maxInFlight);
            return recorder.placed();
        }
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

    private static void parkUntil(long nanos) {
        for (long wait = nanos - System.nanoTime(); wait > 0; wait = nanos - System.nanoTime()) {
            LockSupport.parkNanos(wait);
        }
    }

    /** A request that got no HTTP answer: {@link #TIMEOUT} or {@link #CONNECTION_ERROR}. */
    static int outcome(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof HttpTimeoutException && !(cause instanceof HttpConnectTimeoutException)
                ? TIMEOUT
                : CONNECTION_ERROR;
    }

    /** Collects answers from many threads. */
    private static final class Recorder {

        private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
        private final List<Request> requests = new ArrayList<>();

        void answered(HttpResponse<String> response, long sentAtMicros, long sentNanos) {
            long latency = (System.nanoTime() - sentNanos) / 1000;
            if (response.statusCode() == 201) {
                sentAt.put(Shop.json(response.body()).path("id").asString(), sentAtMicros);
            }
            add(new Request(sentAtMicros, response.statusCode(), latency));
        }

        void failed(Throwable error, long sentAtMicros, long sentNanos) {
            add(new Request(sentAtMicros, outcome(error), (System.nanoTime() - sentNanos) / 1000));
        }

        void notSent(long dueMicros) {
            add(new Request(dueMicros, NOT_SENT, 0));
        }

        private synchronized void add(Request request) {
            requests.add(request);
        }

        synchronized Placed placed() {
            long[] latencies = requests.stream()
                    .filter(request -> request.status() == 201)
                    .mapToLong(Request::latencyMicros)
                    .sorted()
                    .toArray();
            Map<Integer, Integer> failures = new HashMap<>();
            int dropped = 0;
            for (Request request : requests) {
                if (request.status() == NOT_SENT) {
                    dropped++;
                } else if (request.status() != 201) {
                    failures.merge(Math.max(request.status(), -1), 1, Integer::sum);
                }
            }
            int failed = failures.values().stream().mapToInt(Integer::intValue).sum();
            List<Request> all = new ArrayList<>(requests);
            all.sort(Comparator.comparingLong(Request::sentAtMicros));
            return new Placed(Map.copyOf(sentAt), latencies, dropped, failed, Map.copyOf(failures), List.copyOf(all));
        }
    }
}
