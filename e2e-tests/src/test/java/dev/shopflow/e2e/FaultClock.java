package dev.shopflow.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** The fault run's clock: seconds since its start in every line it prints, and its bounded waits. */
final class FaultClock {

    private static final long STARTED = System.nanoTime();
    static final Instant STARTED_AT = Instant.now();

    private FaultClock() {}

    static long secondsSinceStart() {
        return Duration.ofNanos(System.nanoTime() - STARTED).toSeconds();
    }

    static void log(String message) {
        System.out.printf("[faults] %4ds %s%n", secondsSinceStart(), message);
    }

    static void pause(Duration duration) {
        LockSupport.parkNanos(duration.toNanos());
    }

    /** Checks every 2 s until the condition holds; fails when it does not within the limit. */
    static void awaitUntil(String what, Duration limit, BooleanSupplier condition) {
        awaitUntil(what, limit, Duration.ofSeconds(2), condition);
    }

    static void awaitUntil(String what, Duration limit, Duration every, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit + ": " + what);
            }
            pause(every);
        }
        log(what);
    }

    /** Like {@link #awaitUntil}, but says whether it happened instead of failing. */
    static boolean awaitQuietly(String what, Duration limit, BooleanSupplier condition) {
        try {
            awaitUntil(what, limit, condition);
            return true;
        } catch (AssertionError e) {
            log(e.getMessage());
            return false;
        }
    }
}
