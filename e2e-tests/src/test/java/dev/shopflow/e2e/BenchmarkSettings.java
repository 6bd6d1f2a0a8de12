package dev.shopflow.e2e;

import static dev.shopflow.e2e.Figures.text;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the pipeline benchmark runs: from system properties, see {@link PipelineBenchmark}'s class comment. */
record BenchmarkSettings(
        List<Integer> rates,
        Duration step,
        Duration limit,
        Duration drainLimit,
        int maxInFlight,
        Duration warmUp,
        OverloadSettings overload) {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    static BenchmarkSettings fromSystemProperties() {
        List<Integer> rates;
        try {
            rates = Arrays.stream(
                            System.getProperty("bench.rates", "50,200,500,1000").split(","))
                    .map(String::strip)
                    .filter(rate -> !rate.isEmpty())
                    .map(Integer::parseInt)
                    .sorted()
                    .distinct()
                    .toList();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bench.rates must be orders/s, comma-separated: " + e.getMessage());
        }
        if (rates.isEmpty() || rates.getFirst() < 1) {
            throw new IllegalArgumentException("bench.rates must be at least one rate >= 1 orders/s");
        }
        Duration step = duration("bench.step", "60s");
        if (step.toSeconds() < 1) {
            throw new IllegalArgumentException("bench.step must be at least 1s");
        }
        int maxInFlight = Integer.parseInt(System.getProperty("bench.maxInFlight", "256"));
        return new BenchmarkSettings(
                rates,
                step,
                duration("bench.limit", "30m"),
                duration("bench.drainLimit", "10m"),
                maxInFlight,
                duration("bench.warmUp", "60s"),
                OverloadSettings.fromSystemProperties());
    }

    static Duration duration(String property, String fallback) {
        String text = System.getProperty(property, fallback).strip();
        Matcher matcher = DURATION.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException(property + " must be like 20s, 500ms, 2m or 1h, not " + text);
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    String describe() {
        return "rates %s orders/s, step %d s (+%d s to complete), at most %d requests in flight, request timeout"
                        .formatted(rates, step.toSeconds(), SteadyRates.GRACE.toSeconds(), maxInFlight)
                + " %d s, drain limit %s, time limit %s, warm-up %d s; %s"
                        .formatted(
                                OrderTraffic.REQUEST_TIMEOUT.toSeconds(),
                                text(drainLimit),
                                text(limit),
                                warmUp.toSeconds(),
                                overload.describe());
    }
}
