package dev.shopflow.e2e;

import static dev.shopflow.e2e.Figures.seconds;
import static dev.shopflow.e2e.Figures.text;
import static dev.shopflow.e2e.Progress.progress;

import dev.shopflow.e2e.Completions.Completion;
import dev.shopflow.e2e.Completions.MailCheck;
import dev.shopflow.e2e.ConsumerLag.Sample;
import dev.shopflow.e2e.ContainerUsage.Container;
import dev.shopflow.e2e.ContainerUsage.Reading;
import dev.shopflow.e2e.ContainerUsage.Snapshot;
import dev.shopflow.e2e.OrderTraffic.OpenLoop;
import dev.shopflow.e2e.OrderTraffic.Placed;
import dev.shopflow.e2e.OverloadResult.GroupRecovery;
import dev.shopflow.e2e.OverloadResult.Part;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Phase D of {@link PipelineBenchmark}: what the system does past its capacity, and whether it comes back. With
 * every service running and the pipeline quiet, a closed loop of 16 clients measures the API's capacity C (accepted
 * orders/s); then an open loop at 3 × C (the spike) and, at once, one at 0.5 × C (the recovery), with up to 4,096
 * requests in flight, so that the client does not hide what the server does with the excess. Every request's answer
 * is kept. Around the load: the consumer lag until every group is back at 0, the services' memory against their
 * limits, restarts and OOM kills, every accepted order settled and mailed, and the CPU per order. docs/benchmarks.md
 * ("Pipeline", D) says what each figure means; {@link OverloadReport} prints it.
 */
final class OverloadPhase {

    static final int CLIENTS = 16;
    static final double SPIKE = 3;
    static final double RECOVERY = 0.5;
    /** How long after the recovery the consumer lag may take to get back to 0 (and the orders to complete). */
    static final Duration LAG_LIMIT = Duration.ofMinutes(5);

    /** The overload phase's results, or why it was not run. */
    record Outcome(Optional<OverloadResult> result, String notRun) {}

    private final OverloadSettings settings;
    private final OrderTraffic traffic;
    private final ConsumerLag lag;
    private final ContainerUsage usage;
    private final Completions completions;
    private final Shop shop;
    private final String customer;
    /** {@link PipelineBenchmark}'s: a wait shortened to what the time limit leaves. */
    private final UnaryOperator<Duration> bounded;

    OverloadPhase(
            OverloadSettings settings,
            OrderTraffic traffic,
            ConsumerLag lag,
            ContainerUsage usage,
            Completions completions,
            Shop shop,
            String customer,
            UnaryOperator<Duration> bounded) {
        this.settings = settings;
        this.traffic = traffic;
        this.lag = lag;
        this.usage = usage;
        this.completions = completions;
        this.shop = shop;
        this.customer = customer;
        this.bounded = bounded;
    }

    OverloadResult run() throws Exception {
        progress("overload: waiting until the pipeline is quiet");
        boolean quietBefore =
                lag.awaitQuiet(bounded.apply(ConsumerLag.QUIET_LIMIT)).isPresent();
        if (!quietBefore) {
            progress("overload: the pipeline is NOT quiet after " + text(ConsumerLag.QUIET_LIMIT)
                    + "; running anyway (the lag figures start from a backlog)");
        }
        shop.purgeMails();
        Snapshot before = usage.snapshot();
        progress("overload: closed loop, %d clients for %d s"
                .formatted(CLIENTS, settings.closed().toSeconds()));
        Placed closed = traffic.closedLoop(CLIENTS, settings.closed(), customer);
        List<Part> parts = new ArrayList<>();
        parts.add(new Part("closed, %d clients".formatted(CLIENTS), settings.closed(), closed));
        double capacity = closed.accepted() / seconds(settings.closed());
        progress("overload: capacity C = %.1f accepted/s".formatted(capacity));
        long spikeStartNanos;
        long spikeEndNanos;
        long spikeEndMicros;
        long recoveryEndNanos;
        Map<String, Long> memoryPeaks = Map.of();
        int memoryRounds = 0;
        if (capacity > 0) {
            List<Container> services = before.readings().values().stream()
                    .map(Reading::container)
                    .filter(container -> ContainerUsage.SERVICES.contains(container.service()))
                    .toList();
            try (MemoryPeaks memory = usage.sampleMemory(services)) {
                progress("overload: spike, %.1f orders/s (%s x C) for %d s"
                        .formatted(
                                SPIKE * capacity, factor(SPIKE), settings.step().toSeconds()));
                OpenLoop spike = traffic.send(SPIKE * capacity, settings.step(), settings.maxInFlight(), customer);
                progress("overload: recovery, %.1f orders/s (%s x C) for %d s"
                        .formatted(
                                RECOVERY * capacity,
                                factor(RECOVERY),
                                settings.step().toSeconds()));
                OpenLoop recovery =
                        traffic.send(RECOVERY * capacity, settings.step(), settings.maxInFlight(), customer);
                spikeStartNanos = spike.startNanos();
                spikeEndNanos = spike.endNanos();
                spikeEndMicros = spike.endMicros();
                recoveryEndNanos = recovery.endNanos();
                parts.add(new Part(factor(SPIKE) + " x C", settings.step(), spike.answers()));
                parts.add(new Part(factor(RECOVERY) + " x C", settings.step(), recovery.answers()));
                memoryPeaks = memory.peaks();
                memoryRounds = memory.rounds();
            }
            parts.forEach(part -> progress("overload: %s: %d sent, %d accepted, %d not sent, failures %s"
                    .formatted(
                            part.name(),
                            part.count(request -> request.status() != OrderTraffic.NOT_SENT),
                            part.placed().accepted(),
                            part.placed().dropped(),
                            part.placed().failures())));
        } else {
            progress("overload: no order accepted in the closed loop; no spike, no recovery");
            spikeStartNanos = System.nanoTime();
            spikeEndNanos = spikeStartNanos;
            spikeEndMicros = OrderTraffic.epochMicros();
            recoveryEndNanos = spikeEndNanos;
        }

        Duration left = LAG_LIMIT.minusNanos(System.nanoTime() - recoveryEndNanos);
        progress("overload: waiting (at most %s after the recovery) until every group's lag is 0"
                .formatted(text(LAG_LIMIT)));
        Optional<Sample> quietAfter = lag.awaitQuiet(bounded.apply(left.isNegative() ? Duration.ZERO : left));
        long lagUntilNanos = System.nanoTime();
        Snapshot after = usage.snapshot();
        List<Sample> samples = lag.between(spikeStartNanos, lagUntilNanos);
        Map<String, GroupRecovery> lags = new LinkedHashMap<>();
        for (String group : ConsumerLag.GROUPS.keySet()) {
            lags.put(group, GroupRecovery.of(group, samples));
        }

        // restarts and OOM kills, said at once too: they explain every other figure
        OverloadResult.alarms(before, after).forEach(alarm -> progress("overload: " + alarm));

        Map<String, Long> accepted = new HashMap<>();
        parts.forEach(part -> accepted.putAll(part.placed().sentAt()));
        Completion completion = completions.of(customer, accepted, Completions.NO_DEADLINE);
        MailCheck mails = completions.mails(customer, completion.accepted());
        progress("overload: %d accepted, %d completed, %d missing"
                .formatted(
                        completion.accepted(), completion.completed(), completion.accepted() - completion.completed()));
        return new OverloadResult(
                settings,
                quietBefore,
                capacity,
                List.copyOf(parts),
                spikeEndNanos,
                spikeEndMicros,
                recoveryEndNanos,
                quietAfter,
                lagUntilNanos,
                lags,
                memoryPeaks,
                memoryRounds,
                before,
                after,
                completion,
                mails);
    }

    /** 3 or 0.5, as the report says the factors. */
    static String factor(double factor) {
        return factor == Math.rint(factor) ? Integer.toString((int) factor) : Double.toString(factor);
    }
}
