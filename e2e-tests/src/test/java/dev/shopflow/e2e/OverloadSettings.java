package dev.shopflow.e2e;

import static dev.shopflow.e2e.OverloadPhase.CLIENTS;
import static dev.shopflow.e2e.OverloadPhase.RECOVERY;
import static dev.shopflow.e2e.OverloadPhase.SPIKE;
import static dev.shopflow.e2e.OverloadPhase.factor;

import java.time.Duration;

/** What {@link OverloadPhase} runs: from system properties, see {@link PipelineBenchmark}'s class comment. */
record OverloadSettings(boolean run, boolean only, Duration closed, Duration step, int maxInFlight) {

    static OverloadSettings fromSystemProperties() {
        boolean run = flag("bench.overload", true);
        boolean only = flag("bench.overloadOnly", false);
        if (only && !run) {
            throw new IllegalArgumentException(
                    "bench.overloadOnly=true runs the overload phase: not with" + " bench.overload=false");
        }
        Duration closed = BenchmarkSettings.duration("bench.overloadClosed", "20s");
        Duration step = BenchmarkSettings.duration("bench.overloadStep", "60s");
        if (closed.toSeconds() < 1 || step.toSeconds() < 1) {
            throw new IllegalArgumentException("bench.overloadClosed and bench.overloadStep must be at least 1s");
        }
        int maxInFlight = Integer.parseInt(System.getProperty("bench.overloadMaxInFlight", "4096"));
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("bench.overloadMaxInFlight must be at least 1");
        }
        return new OverloadSettings(run, only, closed, step, maxInFlight);
    }

    /** "true", "false", or nothing (a bare {@code -Dname}) for true. */
    private static boolean flag(String property, boolean fallback) {
        String text = System.getProperty(property, Boolean.toString(fallback)).strip();
        return switch (text) {
            case "true", "" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(property + " must be true or false, not " + text);
        };
    }

    /** The phase's load, without the waits before and after it. */
    Duration load() {
        return closed.plus(step.multipliedBy(2));
    }

    String describe() {
        if (!run) {
            return "overload not run (bench.overload=false)";
        }
        return "overload: closed loop %d s at %d clients, then %s x C and %s x C for %d s each, at most %d in"
                        .formatted(
                                closed.toSeconds(),
                                CLIENTS,
                                factor(SPIKE),
                                factor(RECOVERY),
                                step.toSeconds(),
                                maxInFlight)
                + " flight" + (only ? "; only pgbench and the overload phase (bench.overloadOnly)" : "");
    }
}
