package dev.shopflow.e2e;

import java.time.Duration;

/** The pipeline benchmark's figures as it computes and prints them: percentiles, latencies, durations. */
final class Figures {

    /** A time that falls on an order not completed in time ("n/c"). */
    static final long INCOMPLETE = Long.MAX_VALUE;
    /** A time not measured ("n/a"). */
    static final long UNKNOWN = Long.MIN_VALUE;

    private Figures() {}

    /** The quantile of sorted values; {@link #INCOMPLETE} or {@link #UNKNOWN} when that is what it falls on. */
    static long percentile(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return UNKNOWN;
        }
        return sorted[Math.max(0, (int) Math.ceil(quantile * sorted.length) - 1)];
    }

    static String time(long micros) {
        if (micros == INCOMPLETE) {
            return "n/c";
        }
        if (micros == UNKNOWN) {
            return "n/a";
        }
        return micros < 1_000_000 ? "%.1f ms".formatted(micros / 1000.0) : "%.2f s".formatted(micros / 1e6);
    }

    /** "10 min" or "30 s". */
    static String text(Duration duration) {
        return duration.toSeconds() % 60 == 0 ? duration.toMinutes() + " min" : duration.toSeconds() + " s";
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }
}
