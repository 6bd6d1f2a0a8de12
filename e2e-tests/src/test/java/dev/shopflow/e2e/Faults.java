package dev.shopflow.e2e;

import static dev.shopflow.e2e.FaultClock.log;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a fault run does to the stack while orders come in, one fault after the other, and what it observed on the
 * way that the final check cannot see afterwards.
 */
abstract class Faults {

    /** The pause between two faults, so that each one's effects are over before the next. */
    static final Duration PAUSE = Duration.ofSeconds(25);

    protected final Compose compose;
    private final List<String> timeline = new ArrayList<>();
    private final Map<String, Object> observed = new LinkedHashMap<>();

    Faults(Compose compose) {
        this.compose = compose;
    }

    /** Injects the faults, one after the other, while the traffic runs. */
    abstract void inject();

    /** The compose service that is the PostgreSQL primary once the faults are over. */
    abstract String primary();

    /** What happened, one line per fault, in seconds since the start. */
    List<String> timeline() {
        return timeline;
    }

    /** Figures measured during the faults, for the report. */
    Map<String, Object> observed() {
        return observed;
    }

    /** Whether what was observed during the faults is what the system promises. */
    boolean observedAsPromised() {
        return true;
    }

    protected void observe(String what, Object value) {
        observed.put(what, value);
    }

    protected void fault(String what, Runnable fault) {
        long start = FaultClock.secondsSinceStart();
        long startNanos = System.nanoTime();
        log("fault: " + what);
        fault.run();
        timeline.add("%4ds  %s (%.0f s)".formatted(start, what, (System.nanoTime() - startNanos) / 1e9));
    }
}
