package dev.shopflow.e2e;

import dev.shopflow.e2e.ConsumerLag.Sample;
import java.util.List;

/** A group's lag during a step: at its end, the peak, and the trend over its last two thirds. */
record GroupLag(long end, long peak, double slope, boolean grew, boolean sampled) {

    static GroupLag of(String group, List<Sample> samples, long trendFromNanos, int rate) {
        if (samples.isEmpty()) {
            return new GroupLag(0, 0, 0, false, false);
        }
        long peak = samples.stream().mapToLong(s -> s.lag().get(group)).max().orElse(0);
        List<Sample> trend =
                samples.stream().filter(s -> s.nanos() >= trendFromNanos).toList();
        double slope = slope(group, trend);
        return new GroupLag(
                samples.getLast().lag().get(group), peak, slope, slope > 0.02 * rate + 1, trend.size() >= 3);
    }

    /** Least-squares slope of the lag over time, events per second. */
    private static double slope(String group, List<Sample> samples) {
        if (samples.size() < 2) {
            return 0;
        }
        double n = samples.size();
        double meanX = samples.stream().mapToDouble(s -> s.nanos() / 1e9).sum() / n;
        double meanY = samples.stream().mapToDouble(s -> s.lag().get(group)).sum() / n;
        double covariance = 0;
        double variance = 0;
        for (Sample sample : samples) {
            double x = sample.nanos() / 1e9 - meanX;
            covariance += x * (sample.lag().get(group) - meanY);
            variance += x * x;
        }
        return variance == 0 ? 0 : covariance / variance;
    }

    String describe() {
        if (!sampled) {
            return "not sampled";
        }
        return "%d/%d/%+.1f%s".formatted(end, peak, slope, grew ? " (grew)" : "");
    }
}
