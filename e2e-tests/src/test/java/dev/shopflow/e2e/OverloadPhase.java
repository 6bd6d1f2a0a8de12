package dev.shopflow.e2e;

import static dev.shopflow.e2e.Figures.UNKNOWN;
import static dev.shopflow.e2e.Figures.percentile;
import static dev.shopflow.e2e.Figures.seconds;
import static dev.shopflow.e2e.Figures.text;
import static dev.shopflow.e2e.Figures.time;
import static dev.shopflow.e2e.Progress.progress;
import static dev.shopflow.e2e.TextTable.row;
import static dev.shopflow.e2e.TextTable.table;

import dev.shopflow.e2e.Completions.Completion;
import dev.shopflow.e2e.Completions.MailCheck;
import dev.shopflow.e2e.ConsumerLag.Sample;
import dev.shopflow.e2e.ContainerUsage.Container;
import dev.shopflow.e2e.ContainerUsage.Reading;
import dev.shopflow.e2e.ContainerUsage.Snapshot;
import dev.shopflow.e2e.OrderTraffic.OpenLoop;
import dev.shopflow.e2e.OrderTraffic.Placed;
import dev.shopflow.e2e.OrderTraffic.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Phase D of {@link PipelineBenchmark}: what the system does past its capacity, and whether it comes back. With
 * every service running and the pipeline quiet, a closed loop of 16 clients measures the API's capacity C (accepted
 * orders/s); then an open loop at 3 × C (the spike) and, at once, one at 0.5 × C (the recovery), with up to 4,096
 * requests in flight, so that the client does not hide what the server does with the excess. Every request's answer
 * is kept. Around the load: the consumer lag until every group is back at 0, the services' memory against their
 * limits, restarts and OOM kills, every accepted order settled and mailed, and the CPU per order. docs/benchmarks.md
 * ("Pipeline", D) says what each figure means.
 */
final class OverloadPhase {

    static final int CLIENTS = 16;
    static final double SPIKE = 3;
    static final double RECOVERY = 0.5;
    /** How long after the recovery the consumer lag may take to get back to 0 (and the orders to complete). */
    static final Duration LAG_LIMIT = Duration.ofMinutes(5);
    /**
     * The recovery's "accepted from 5 s after the spike on": time for what the spike left queued (in the gateway,
     * the service, the client's connections) to be answered.
     */
    static final Duration SETTLING = Duration.ofSeconds(5);
    /** The statuses counted in columns of their own; any other is "other". */
    private static final List<Integer> STATUSES = List.of(201, 503, 502, 429);

    /** What to run: from system properties, see {@link PipelineBenchmark}'s class comment. */
    record Settings(boolean run, boolean only, Duration closed, Duration step, int maxInFlight) {

        static Settings fromSystemProperties() {
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
            return new Settings(run, only, closed, step, maxInFlight);
        }

        /** "true", "false", or nothing (a bare {@code -Dname}) for true. */
        private static boolean flag(String property, boolean fallback) {
            String text =
                    System.getProperty(property, Boolean.toString(fallback)).strip();
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

    /** One load of the phase: the closed loop, the spike or the recovery. */
    record Part(String name, Duration duration, Placed placed) {

        double perSecond(long count) {
            return count / seconds(duration);
        }

        long count(Predicate<Request> which) {
            return placed.requests().stream().filter(which).count();
        }

        /** Sorted latencies of the answers with this status. */
        long[] latencies(int status) {
            return placed.requests().stream()
                    .filter(request -> request.status() == status)
                    .mapToLong(Request::latencyMicros)
                    .sorted()
                    .toArray();
        }
    }

    /** The overload phase as run, or why it was not run. */
    record Outcome(Optional<OverloadPhase> phase, String notRun) {}

    /** A group's lag from the start of the spike: its peak, and when it got back to 0 to stay, if it did. */
    record GroupRecovery(long peak, Optional<Long> backNanos, boolean sampled) {}

    private final Settings settings;
    private final OrderTraffic traffic;
    private final ConsumerLag lag;
    private final ContainerUsage usage;
    private final Completions completions;
    private final Shop shop;
    private final String customer;
    /** {@link PipelineBenchmark}'s: a wait shortened to what the time limit leaves. */
    private final UnaryOperator<Duration> bounded;

    // what run() measured, for report()
    private boolean quietBefore;
    private double capacity;
    private final List<Part> parts = new ArrayList<>();
    private long spikeStartNanos;
    private long spikeEndNanos;
    private long spikeEndMicros;
    private long recoveryEndNanos;
    private Optional<Sample> quietAfter = Optional.empty();
    private long lagUntilNanos;
    private final Map<String, GroupRecovery> lags = new LinkedHashMap<>();
    private Map<String, Long> memoryPeaks = Map.of();
    private int memoryRounds;
    private Snapshot before;
    private Snapshot after;
    private Completion completion;
    private MailCheck mails;

    OverloadPhase(
            Settings settings,
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

    void run() throws Exception {
        progress("overload: waiting until the pipeline is quiet");
        quietBefore = lag.awaitQuiet(bounded.apply(ConsumerLag.QUIET_LIMIT)).isPresent();
        if (!quietBefore) {
            progress("overload: the pipeline is NOT quiet after " + text(ConsumerLag.QUIET_LIMIT)
                    + "; running anyway (the lag figures start from a backlog)");
        }
        shop.purgeMails();
        before = usage.snapshot();
        progress("overload: closed loop, %d clients for %d s"
                .formatted(CLIENTS, settings.closed().toSeconds()));
        Placed closed = traffic.closedLoop(CLIENTS, settings.closed(), customer);
        parts.add(new Part("closed, %d clients".formatted(CLIENTS), settings.closed(), closed));
        capacity = closed.accepted() / seconds(settings.closed());
        progress("overload: capacity C = %.1f accepted/s".formatted(capacity));
        if (capacity > 0) {
            List<Container> services = before.readings().values().stream()
                    .map(Reading::container)
                    .filter(container -> ContainerUsage.SERVICES.contains(container.service()))
                    .toList();
            try (ContainerUsage.MemoryPeaks memory = usage.sampleMemory(services)) {
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
        quietAfter = lag.awaitQuiet(bounded.apply(left.isNegative() ? Duration.ZERO : left));
        lagUntilNanos = System.nanoTime();
        after = usage.snapshot();
        List<Sample> samples = lag.between(spikeStartNanos, lagUntilNanos);
        for (String group : ConsumerLag.GROUPS.keySet()) {
            lags.put(group, recovery(group, samples));
        }
        warnAboutRestarts();

        Map<String, Long> accepted = new HashMap<>();
        parts.forEach(part -> accepted.putAll(part.placed().sentAt()));
        completion = completions.of(customer, accepted, Completions.NO_DEADLINE);
        mails = completions.mails(customer, completion.accepted());
        progress("overload: %d accepted, %d completed, %d missing"
                .formatted(
                        completion.accepted(), completion.completed(), completion.accepted() - completion.completed()));
    }

    /** The CPU window: from the closed loop's start until the pipeline was quiet again; per completed order. */
    ContainerUsage.Window cpu() {
        return new ContainerUsage.Window("overload", before, after, completion.completed());
    }

    private static GroupRecovery recovery(String group, List<Sample> samples) {
        if (samples.isEmpty()) {
            return new GroupRecovery(0, Optional.empty(), false);
        }
        long peak = samples.stream().mapToLong(s -> s.lag().get(group)).max().orElse(0);
        int lastBehind = -1;
        for (int i = 0; i < samples.size(); i++) {
            if (samples.get(i).lag().get(group) > 0) {
                lastBehind = i;
            }
        }
        if (lastBehind == samples.size() - 1) {
            return new GroupRecovery(peak, Optional.empty(), true);
        }
        return new GroupRecovery(peak, Optional.of(samples.get(lastBehind + 1).nanos()), true);
    }

    /** Restarts and OOM kills, said at once too: they explain every other figure. */
    private void warnAboutRestarts() {
        alarms().forEach(alarm -> progress("overload: " + alarm));
    }

    private List<String> alarms() {
        List<String> alarms = new ArrayList<>();
        for (String label : ContainerUsage.labels(List.of(before, after))) {
            Reading start = before.readings().get(label);
            Reading end = after.readings().get(label);
            if (end == null) {
                alarms.add("!!! %s is NOT RUNNING after the overload phase".formatted(label));
                continue;
            }
            int restartsBefore = start == null ? 0 : start.container().restarts();
            if (end.container().restarts() != restartsBefore) {
                alarms.add("!!! %s RESTARTED during the overload phase (RestartCount %d -> %d)"
                        .formatted(label, restartsBefore, end.container().restarts()));
            }
            if (end.container().oomKilled()) {
                boolean already = start != null && start.container().oomKilled();
                alarms.add("!!! %s was OOM-KILLED (State.OOMKilled true%s)"
                        .formatted(label, already ? ", already before the phase" : ""));
            }
        }
        return alarms;
    }

    void report(StringBuilder out) {
        out.append("D. overload: closed loop (%d clients, %d s): C = %.1f accepted/s; then %s x C and at once"
                        .formatted(CLIENTS, settings.closed().toSeconds(), capacity, factor(SPIKE)))
                .append(" %s x C, %d s each, at most %d requests in flight\n"
                        .formatted(factor(RECOVERY), settings.step().toSeconds(), settings.maxInFlight()));
        if (!quietBefore) {
            row(
                    out,
                    "before",
                    "the pipeline was NOT quiet when the phase started: the lag figures start from a backlog");
        }
        List<List<String>> rows = new ArrayList<>();
        List<List<String>> latencyRows = new ArrayList<>();
        Map<String, Map<Integer, Long>> others = new LinkedHashMap<>();
        for (Part part : parts) {
            long accepted = part.placed().accepted();
            List<String> cells = new ArrayList<>(List.of(
                    part.name(),
                    "%.1f".formatted(part.perSecond(part.placed().requests().size())),
                    "%.1f".formatted(part.perSecond(accepted)),
                    capacity > 0 ? "%.2f".formatted(part.perSecond(accepted) / capacity) : "n/a"));
            for (int status : STATUSES) {
                cells.add(Long.toString(part.count(request -> request.status() == status)));
            }
            Map<Integer, Long> other = new TreeMap<>();
            part.placed().requests().stream()
                    .filter(request -> request.status() > 0 && !STATUSES.contains(request.status()))
                    .forEach(request -> other.merge(request.status(), 1L, Long::sum));
            if (!other.isEmpty()) {
                others.put(part.name(), other);
            }
            cells.add(Long.toString(
                    other.values().stream().mapToLong(Long::longValue).sum()));
            cells.add(Long.toString(part.count(request -> request.status() == OrderTraffic.TIMEOUT)));
            cells.add(Long.toString(part.count(request -> request.status() == OrderTraffic.CONNECTION_ERROR)));
            cells.add(Long.toString(part.placed().dropped()));
            rows.add(cells);

            List<String> latency = new ArrayList<>(List.of(part.name()));
            for (int status : List.of(201, 503)) {
                long[] sorted = part.latencies(status);
                latency.add(time(percentile(sorted, 0.5)));
                latency.add(time(percentile(sorted, 0.99)));
                latency.add(time(sorted.length == 0 ? UNKNOWN : sorted[sorted.length - 1]));
            }
            latencyRows.add(latency);
        }
        table(
                out,
                List.of(
                        "phase",
                        "offered/s",
                        "accepted/s",
                        "of C",
                        "201",
                        "503",
                        "502",
                        "429",
                        "other",
                        "timeouts",
                        "conn errors",
                        "not sent"),
                rows);
        others.forEach((part, statuses) -> row(out, "other statuses", part + ": " + statuses));
        table(out, List.of("phase", "201 p50", "201 p99", "201 max", "503 p50", "503 p99", "503 max"), latencyRows);
        if (parts.size() > 2) {
            row(out, "recovery", recovery(parts.get(2)));
        }

        rows = new ArrayList<>();
        for (Map.Entry<String, GroupRecovery> group : lags.entrySet()) {
            GroupRecovery recovery = group.getValue();
            String back;
            if (!recovery.sampled()) {
                back = "not sampled";
            } else if (recovery.backNanos().isEmpty()) {
                back = "not back in %.1f min".formatted((lagUntilNanos - spikeEndNanos) / 60e9);
            } else {
                back = "%+.0f s".formatted((recovery.backNanos().get() - spikeEndNanos) / 1e9);
            }
            rows.add(List.of(
                    group.getKey() + " (" + ConsumerLag.GROUPS.get(group.getKey()) + ")",
                    Long.toString(recovery.peak()),
                    back));
        }
        table(out, List.of("group (topic)", "peak lag", "back at 0 for good, after the spike's end"), rows);
        row(
                out,
                "quiet again",
                quietAfter
                        .map(sample ->
                                "%.0f s after the recovery's end".formatted((sample.nanos() - recoveryEndNanos) / 1e9))
                        .orElse("NO: not within %s after the recovery's end".formatted(text(LAG_LIMIT))));

        rows = new ArrayList<>();
        for (String label : ContainerUsage.labels(List.of(before, after))) {
            Reading start = before.readings().get(label);
            Reading end = after.readings().get(label);
            Reading any = end != null ? end : start;
            long limit = any.memoryLimit();
            Long sampled = memoryPeaks.get(label);
            long peak = end == null ? UNKNOWN : end.memoryPeak();
            rows.add(List.of(
                    label,
                    sampled == null ? "-" : ContainerUsage.mib(sampled),
                    sampled == null ? "-" : percent(sampled, limit),
                    ContainerUsage.mib(peak),
                    peak == UNKNOWN ? "-" : percent(peak, limit),
                    ContainerUsage.mib(limit),
                    (start == null ? "-" : start.container().restarts()) + " -> "
                            + (end == null ? "gone" : end.container().restarts()),
                    (start == null ? "-" : start.container().oomKilled()) + " -> "
                            + (end == null ? "gone" : end.container().oomKilled())));
        }
        table(
                out,
                List.of(
                        "container",
                        "sampled peak",
                        "of limit",
                        "memory.peak",
                        "of limit",
                        "limit",
                        "restarts",
                        "OOMKilled"),
                rows);
        row(
                out,
                "memory",
                "sampled every 2 s during the spike and the recovery (%d rounds); memory.peak: since the"
                                .formatted(memoryRounds)
                        + " container started");
        List<String> alarms = alarms();
        if (alarms.isEmpty()) {
            row(out, "restarts, OOM", "none");
        }
        alarms.forEach(alarm -> out.append("  ").append(alarm).append('\n'));

        row(
                out,
                "completion",
                "%d accepted, %d settled, %d with both mails SENT: %d completed, %d missing; %d orders of the phase's"
                                .formatted(
                                        completion.accepted(),
                                        completion.settled(),
                                        completion.mailed(),
                                        completion.completed(),
                                        completion.accepted() - completion.completed(),
                                        completion.inDatabase())
                        + " customer in the database");
        row(
                out,
                "mails",
                "%d logged / %s at GreenMail / %d expected"
                        .formatted(
                                mails.logged(),
                                mails.received() < 0 ? "not counted" : Long.toString(mails.received()),
                                mails.expected()));
        if (!completion.missing().isEmpty()) {
            row(out, "missing, e.g.", String.join("; ", completion.missing()));
        }
    }

    /**
     * The recovery's requests sent from {@link #SETTLING} after the spike's end on, and how many were accepted; and
     * when the last request not accepted (any other status, a timeout, a connection error) was sent.
     */
    private String recovery(Part part) {
        long from = spikeEndMicros + SETTLING.toNanos() / 1000;
        List<Request> sent = part.placed().requests().stream()
                .filter(request -> request.status() != OrderTraffic.NOT_SENT)
                .toList();
        long late =
                sent.stream().filter(request -> request.sentAtMicros() >= from).count();
        long accepted = sent.stream()
                .filter(request -> request.sentAtMicros() >= from && request.status() == 201)
                .count();
        String last =
                sent.stream().filter(request -> request.status() != 201).mapToLong(Request::sentAtMicros).max().stream()
                        .mapToObj(at -> "sent %.1f s after the spike's end".formatted((at - spikeEndMicros) / 1e6))
                        .findFirst()
                        .orElse("none");
        return "%s of the requests sent from %d s after the spike's end on accepted (%d of %d)"
                        .formatted(
                                late == 0 ? "n/a" : "%.1f %%".formatted(100.0 * accepted / late),
                                SETTLING.toSeconds(),
                                accepted,
                                late)
                + "; the last request not accepted: " + last;
    }

    private static String percent(long bytes, long limit) {
        if (bytes == UNKNOWN || limit == UNKNOWN || limit == ContainerUsage.NO_LIMIT) {
            return "-";
        }
        return "%.0f %%".formatted(100.0 * bytes / limit);
    }

    /** 3 or 0.5, as the report says the factors. */
    static String factor(double factor) {
        return factor == Math.rint(factor) ? Integer.toString((int) factor) : Double.toString(factor);
    }
}
