package dev.shopflow.e2e;

import java.time.Duration;

/** The benchmark's time limit ({@code bench.limit}), less what is kept free at its end: how long a wait may take. */
record TimeLimit(Duration limit) {

    /** Kept free at the end of the time limit: the report and {@code down -v}. */
    private static final Duration RESERVE = Duration.ofMinutes(2);

    /** A wait shortened to what the time limit leaves, a minute before its reserve. */
    Duration bounded(Duration wait) {
        Duration left = remaining().minusMinutes(1);
        return left.compareTo(wait) < 0 ? (left.isNegative() ? Duration.ZERO : left) : wait;
    }

    Duration remaining() {
        return limit.minus(RESERVE).minusNanos(System.nanoTime() - Progress.STARTED);
    }
}
