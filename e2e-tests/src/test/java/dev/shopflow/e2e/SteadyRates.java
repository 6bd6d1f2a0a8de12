package dev.shopflow.e2e;

import static dev.shopflow.e2e.Figures.seconds;
import static dev.shopflow.e2e.Figures.text;
import static dev.shopflow.e2e.Progress.progress;

import dev.shopflow.e2e.Completions.Completion;
import dev.shopflow.e2e.ConsumerLag.Sample;
import dev.shopflow.e2e.OrderTraffic.Placed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Phase C of {@link PipelineBenchmark}: each rate in an open loop for the step's length, on a quiet pipeline, its
 * orders read back at step end + {@link #GRACE}; once a rate is not sustained, the higher ones are not run.
 */
final class SteadyRates {

    /** How long after a step's end its orders may take to complete and still count. */
    static final Duration GRACE = Duration.ofSeconds(10);

    private final BenchmarkStack stack;
    private final ConsumerLag lag;
    private final ContainerUsage usage;
    private final BenchmarkSettings settings;
    private final TimeLimit timeLimit;
    private final String customers;

    /** @param customers the steps' customers' prefix: each step's orders share a customer of their own */
    SteadyRates(
            BenchmarkStack stack,
            ConsumerLag lag,
            ContainerUsage usage,
            BenchmarkSettings settings,
            TimeLimit timeLimit,
            String customers) {
        this.stack = stack;
        this.lag = lag;
        this.usage = usage;
        this.settings = settings;
        this.timeLimit = timeLimit;
        this.customers = customers;
    }

    /** Runs the steps, each once the previous one's backlog is worked off; the load average after each. */
    List<RateStep> run(LoadAverages loads) throws Exception {
        List<RateStep> steps = new ArrayList<>();
        String skip = null;
        RateStep previous = null;
        for (int rate : settings.rates()) {
            if (skip == null
                    && timeLimit
                                    .remaining()
                                    .compareTo(settings.step().plus(GRACE).plusMinutes(1))
                            < 0) {
                skip = "not run (time limit " + text(settings.limit()) + ")";
            }
            if (skip == null) {
                progress("step %d orders/s: waiting until the pipeline is quiet".formatted(rate));
                Optional<Sample> quiet = lag.awaitQuiet(timeLimit.bounded(ConsumerLag.QUIET_LIMIT));
                if (previous != null) {
                    afterQuiet(previous);
                }
                if (quiet.isEmpty()) {
                    skip = "not run (the backlog before it did not drain within " + ConsumerLag.QUIET_LIMIT.toMinutes()
                            + " min)";
                }
            }
            if (skip != null) {
                steps.add(RateStep.notRun(rate, skip));
                continue;
            }
            stack.shop().purgeMails();
            RateStep step = step(rate);
            loads.record(rate + "/s");
            steps.add(step);
            previous = step;
            if (!step.sustained()) {
                skip = "not run (a lower rate was not sustained)";
            }
        }
        if (previous != null && previous.mails == null) {
            progress("waiting (at most %d min) for the last step's backlog, to count its mails"
                    .formatted(ConsumerLag.QUIET_LIMIT.toMinutes()));
            lag.awaitQuiet(timeLimit.bounded(ConsumerLag.QUIET_LIMIT));
            afterQuiet(previous);
        }
        return steps;
    }

    /**
     * Once the pipeline is quiet after a step (or the wait gave up): the end of its CPU window, per order completed
     * by now (the window also holds the work on orders completed after step end + {@link #GRACE}), then its mails.
     */
    private void afterQuiet(RateStep step) {
        ContainerUsage.Snapshot to = usage.snapshot();
        int completed = stack.completions()
                .of(step.customer, step.placed.sentAt(), Completions.NO_DEADLINE)
                .completed();
        step.cpu = new ContainerUsage.Window(step.rate + "/s", step.cpuFrom, to, completed);
        step.mails = stack.completions().mails(step.customer, step.placed.accepted());
    }

    private RateStep step(int rate) throws Exception {
        String customer = customers + "-r" + rate;
        Duration duration = settings.step();
        ContainerUsage.Snapshot cpuFrom = usage.snapshot();
        progress("step %d orders/s for %d s".formatted(rate, duration.toSeconds()));
        long startNanos = System.nanoTime();
        long startMicros = OrderTraffic.epochMicros();
        Placed placed = stack.traffic().openLoop(rate, duration, settings.maxInFlight(), customer);
        long endNanos = startNanos + duration.toNanos();
        long deadlineNanos = endNanos + GRACE.toNanos();
        for (long wait = deadlineNanos - System.nanoTime(); wait > 0; wait = deadlineNanos - System.nanoTime()) {
            Thread.sleep(Duration.ofNanos(wait));
        }
        long deadlineMicros = startMicros + (deadlineNanos - startNanos) / 1000;
        Completion completion = stack.completions().of(customer, placed.sentAt(), deadlineMicros);

        List<Sample> samples = lag.between(startNanos, endNanos);
        Map<String, GroupLag> lags = new LinkedHashMap<>();
        for (String group : ConsumerLag.GROUPS.keySet()) {
            lags.put(group, GroupLag.of(group, samples, startNanos + duration.toNanos() / 3, rate));
        }
        RateStep step = new RateStep(rate, null, placed, seconds(duration), completion, lags, customer, cpuFrom);
        progress("step %d orders/s: %d sent, %d accepted, %d dropped, %d failed; %d completed in time; %s"
                .formatted(
                        rate,
                        placed.accepted() + placed.failed(),
                        placed.accepted(),
                        placed.dropped(),
                        placed.failed(),
                        completion.completed(),
                        step.sustained() ? "sustained" : "NOT sustained"));
        return step;
    }
}
