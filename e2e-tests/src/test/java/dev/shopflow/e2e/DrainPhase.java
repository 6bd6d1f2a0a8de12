package dev.shopflow.e2e;

import static dev.shopflow.e2e.Figures.seconds;
import static dev.shopflow.e2e.Figures.text;
import static dev.shopflow.e2e.Progress.progress;

import dev.shopflow.e2e.ConsumerLag.Sample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Phase B of {@link PipelineBenchmark}: stock-service and mail-service start again on the backlog the closed loop
 * left, and work it off while the lag is sampled; if they do not catch up in time, the rest is skipped so that the
 * steps start on a quiet pipeline.
 */
final class DrainPhase {

    /** {@code count} things in {@code seconds}. */
    record Rate(long count, double seconds) {

        /** @param row "count|seconds" as psql -At prints it */
        static Rate of(String row) {
            String[] columns = row.strip().split("\\|");
            return new Rate(Long.parseLong(columns[0]), Double.parseDouble(columns[1]));
        }

        String perSecond() {
            return seconds > 0 ? "%.0f".formatted(count / seconds) : "n/a";
        }

        String describe(String what) {
            return "%d %s in %.1f s = %s %s/s".formatted(count, what, seconds, perSecond(), what);
        }
    }

    record Drain(
            Sample before,
            Map<String, Rate> groups,
            Rate mails,
            Rate reservations,
            Optional<Rate> settled,
            boolean caughtUp,
            double seconds,
            Sample last) {}

    private final BenchmarkStack stack;
    private final ConsumerLag lag;
    private final Duration drainLimit;
    private final TimeLimit timeLimit;

    DrainPhase(BenchmarkStack stack, ConsumerLag lag, Duration drainLimit, TimeLimit timeLimit) {
        this.stack = stack;
        this.lag = lag;
        this.drainLimit = drainLimit;
        this.timeLimit = timeLimit;
    }

    Drain run() throws Exception {
        Sample before = lag.sampleNow();
        progress("drain: starting stock-service and mail-service on a backlog of %s".formatted(before.describeLag()));
        Instant from = Instant.now();
        long fromNanos = System.nanoTime();
        stack.compose().startAgain(Duration.ofMinutes(3), "stock-service", "mail-service");
        Optional<Sample> quiet = lag.awaitQuiet(timeLimit.bounded(drainLimit));
        long untilNanos = System.nanoTime();
        quiet.ifPresentOrElse(
                sample -> progress("drain: every group caught up %.0f s after the start"
                        .formatted(seconds(sample.nanos() - fromNanos))),
                () -> progress("drain: NOT caught up within " + text(drainLimit)));
        List<Sample> samples = new ArrayList<>();
        samples.add(before);
        samples.addAll(lag.between(fromNanos, untilNanos));
        Map<String, Rate> groups = new LinkedHashMap<>();
        for (String group : ConsumerLag.GROUPS.keySet()) {
            groups.put(group, consumed(group, samples));
        }
        String since = "'" + from + "'::timestamptz";
        Rate mails = Rate.of(stack.psql(
                "mail",
                "mail",
                "select count(*), coalesce(extract(epoch from max(sent_at) - min(sent_at)), 0) from mail_log"
                        + " where status = 'SENT' and sent_at >= " + since));
        Rate reservations = Rate.of(stack.psql(
                "stock",
                "stock",
                "select count(distinct order_id), coalesce(extract(epoch from max(reserved_at) - min(reserved_at)), 0)"
                        + " from reservations where reserved_at >= " + since));
        Optional<Rate> settled = stack.settledAtColumn()
                ? Optional.of(Rate.of(stack.psql(
                        "orders",
                        "orders",
                        "select count(*), coalesce(extract(epoch from max(settled_at) - min(settled_at)), 0)"
                                + " from orders where settled_at >= " + since)))
                : Optional.empty();
        Sample last = quiet.orElseGet(() -> samples.getLast());
        if (quiet.isEmpty()) {
            skipBacklog();
        }
        return new Drain(
                before,
                groups,
                mails,
                reservations,
                settled,
                quiet.isPresent(),
                seconds(last.nanos() - fromNanos),
                last);
    }

    /**
     * Moves every group to the end of its topic, so that the steps start on a quiet pipeline although the closed
     * loop's backlog did not drain in time: the services are stopped (a group's offsets can be reset only while it
     * has no members), the groups reset with the Kafka CLI, the services started again. The skipped orders stay
     * PENDING and unmailed; the steps look only at their own orders.
     */
    private void skipBacklog() throws InterruptedException {
        progress("drain: skipping the rest of the backlog (groups reset to the end of their topics)");
        Compose compose = stack.compose();
        KafkaGroups groups = new KafkaGroups(compose);
        List<String> services = List.of("order-service", "stock-service", "mail-service");
        compose.run(Duration.ofMinutes(2), concat("stop", services));
        for (Map.Entry<String, String> group : ConsumerLag.GROUPS.entrySet()) {
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            Compose.Result reset;
            do {
                Thread.sleep(1000);
                reset = groups.resetOffsets(group.getKey(), group.getValue(), "--to-latest");
            } while (reset.exitCode() != 0 && System.nanoTime() < deadline);
            if (reset.exitCode() != 0) {
                throw new IllegalStateException("Could not reset group " + group.getKey() + ":\n" + reset.output());
            }
        }
        compose.run(Duration.ofMinutes(10), concat("up", List.of("--detach", "--no-build", "--wait"), services));
    }

    @SafeVarargs
    private static String[] concat(String first, List<String>... rest) {
        List<String> all = new ArrayList<>(List.of(first));
        for (List<String> more : rest) {
            all.addAll(more);
        }
        return all.toArray(String[]::new);
    }

    /**
     * A group's consumption while it works off a backlog, from the samples of its committed offsets: from the last
     * sample before they first moved to the first sample at their final value (so within 2 samples, 4 s, of the
     * truth).
     */
    private static Rate consumed(String group, List<Sample> samples) {
        long initial = samples.getFirst().committed().get(group);
        long last = samples.getLast().committed().get(group);
        int start = -1;
        int end = -1;
        for (int i = 1; i < samples.size(); i++) {
            long committed = samples.get(i).committed().get(group);
            if (start < 0 && committed != initial) {
                start = i - 1;
            }
            if (start >= 0 && committed == last) {
                end = i;
                break;
            }
        }
        if (start < 0) {
            return new Rate(0, 0);
        }
        return new Rate(
                last - samples.get(start).committed().get(group),
                seconds(samples.get(end).nanos() - samples.get(start).nanos()));
    }
}
