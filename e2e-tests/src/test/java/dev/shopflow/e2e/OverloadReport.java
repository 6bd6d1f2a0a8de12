package dev.shopflow.e2e;

import static dev.shopflow.e2e.Figures.UNKNOWN;
import static dev.shopflow.e2e.Figures.percentile;
import static dev.shopflow.e2e.Figures.text;
import static dev.shopflow.e2e.Figures.time;
import static dev.shopflow.e2e.OverloadPhase.CLIENTS;
import static dev.shopflow.e2e.OverloadPhase.LAG_LIMIT;
import static dev.shopflow.e2e.OverloadPhase.RECOVERY;
import static dev.shopflow.e2e.OverloadPhase.SPIKE;
import static dev.shopflow.e2e.OverloadPhase.factor;
import static dev.shopflow.e2e.TextTable.row;
import static dev.shopflow.e2e.TextTable.table;

import dev.shopflow.e2e.Completions.Completion;
import dev.shopflow.e2e.Completions.MailCheck;
import dev.shopflow.e2e.ContainerUsage.Reading;
import dev.shopflow.e2e.OrderTraffic.Request;
import dev.shopflow.e2e.OverloadResult.GroupRecovery;
import dev.shopflow.e2e.OverloadResult.Part;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Section D of the pipeline benchmark's report, from {@link OverloadResult}: each load's answers by status and
 * latency, the recovery, the consumer lag, the services' memory, restarts and OOM kills, and whether every accepted
 * order completed.
 */
final class OverloadReport {

    /**
     * The recovery's "accepted from 5 s after the spike on": time for what the spike left queued (in the gateway,
     * the service, the client's connections) to be answered.
     */
    static final Duration SETTLING = Duration.ofSeconds(5);
    /** The statuses counted in columns of their own; any other is "other". */
    private static final List<Integer> STATUSES = List.of(201, 503, 502, 429);

    private OverloadReport() {}

    static void print(StringBuilder out, OverloadResult result) {
        OverloadSettings settings = result.settings();
        out.append("D. overload: closed loop (%d clients, %d s): C = %.1f accepted/s; then %s x C and at once"
                        .formatted(CLIENTS, settings.closed().toSeconds(), result.capacity(), factor(SPIKE)))
                .append(" %s x C, %d s each, at most %d requests in flight\n"
                        .formatted(factor(RECOVERY), settings.step().toSeconds(), settings.maxInFlight()));
        if (!result.quietBefore()) {
            row(
                    out,
                    "before",
                    "the pipeline was NOT quiet when the phase started: the lag figures start from a backlog");
        }
        answers(out, result);
        lags(out, result);
        memory(out, result);
        completion(out, result.completion(), result.mails());
    }

    /** Each load's answers by status, and their latencies. */
    private static void answers(StringBuilder out, OverloadResult result) {
        double capacity = result.capacity();
        List<List<String>> rows = new ArrayList<>();
        List<List<String>> latencyRows = new ArrayList<>();
        Map<String, Map<Integer, Long>> others = new LinkedHashMap<>();
        for (Part part : result.parts()) {
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
        if (result.parts().size() > 2) {
            row(out, "recovery", recovery(result.parts().get(2), result.spikeEndMicros()));
        }
    }

    /**
     * The recovery's requests sent from {@link #SETTLING} after the spike's end on, and how many were accepted; and
     * when the last request not accepted (any other status, a timeout, a connection error) was sent.
     */
    private static String recovery(Part part, long spikeEndMicros) {
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

    /** Each group's peak lag and when it was back at 0, then when the pipeline was quiet again. */
    private static void lags(StringBuilder out, OverloadResult result) {
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, GroupRecovery> group : result.lags().entrySet()) {
            GroupRecovery recovery = group.getValue();
            String back;
            if (!recovery.sampled()) {
                back = "not sampled";
            } else if (recovery.backNanos().isEmpty()) {
                back = "not back in %.1f min".formatted((result.lagUntilNanos() - result.spikeEndNanos()) / 60e9);
            } else {
                back = "%+.0f s".formatted((recovery.backNanos().get() - result.spikeEndNanos()) / 1e9);
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
                result.quietAfter()
                        .map(sample -> "%.0f s after the recovery's end"
                                .formatted((sample.nanos() - result.recoveryEndNanos()) / 1e9))
                        .orElse("NO: not within %s after the recovery's end".formatted(text(LAG_LIMIT))));
    }

    /** Each container's memory against its limit, restarts and OOM kills. */
    private static void memory(StringBuilder out, OverloadResult result) {
        List<List<String>> rows = new ArrayList<>();
        for (String label : ContainerUsage.labels(List.of(result.before(), result.after()))) {
            Reading start = result.before().readings().get(label);
            Reading end = result.after().readings().get(label);
            Reading any = end != null ? end : start;
            long limit = any.memoryLimit();
            Long sampled = result.memoryPeaks().get(label);
            long peak = end == null ? UNKNOWN : end.memoryPeak();
            rows.add(List.of(
                    label,
                    sampled == null ? "-" : mib(sampled),
                    sampled == null ? "-" : percent(sampled, limit),
                    mib(peak),
                    peak == UNKNOWN ? "-" : percent(peak, limit),
                    mib(limit),
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
                                .formatted(result.memoryRounds())
                        + " container started");
        List<String> alarms = result.alarms();
        if (alarms.isEmpty()) {
            row(out, "restarts, OOM", "none");
        }
        alarms.forEach(alarm -> out.append("  ").append(alarm).append('\n'));
    }

    private static void completion(StringBuilder out, Completion completion, MailCheck mails) {
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

    private static String percent(long bytes, long limit) {
        if (bytes == UNKNOWN || limit == UNKNOWN || limit == ContainerUsage.NO_LIMIT) {
            return "-";
        }
        return "%.0f %%".formatted(100.0 * bytes / limit);
    }

    private static String mib(long bytes) {
        if (bytes == ContainerUsage.UNKNOWN) {
            return "n/a";
        }
        return bytes == ContainerUsage.NO_LIMIT ? "none" : "%.0f MiB".formatted(bytes / (1024.0 * 1024));
    }
}
