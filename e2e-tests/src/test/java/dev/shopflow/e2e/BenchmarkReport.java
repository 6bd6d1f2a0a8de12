package dev.shopflow.e2e;

import static dev.shopflow.e2e.Figures.percentile;
import static dev.shopflow.e2e.Figures.seconds;
import static dev.shopflow.e2e.Figures.time;
import static dev.shopflow.e2e.TextTable.row;
import static dev.shopflow.e2e.TextTable.table;

import dev.shopflow.e2e.BaselinePhase.Pgbench;
import dev.shopflow.e2e.DrainPhase.Drain;
import dev.shopflow.e2e.OrderTraffic.Placed;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The pipeline benchmark's report, printed once at the end: the machine and the settings, then each phase's figures
 * (A to E), dead letters, load averages and the highest sustained rate. docs/benchmarks.md says what each column
 * means.
 */
final class BenchmarkReport {

    private final Machine machine;
    private final BenchmarkSettings settings;
    private final Path root;
    private final LoadAverages loads;

    BenchmarkReport(Machine machine, BenchmarkSettings settings, Path root, LoadAverages loads) {
        this.machine = machine;
        this.settings = settings;
        this.root = root;
        this.loads = loads;
    }

    /**
     * @param api empty with {@code bench.overloadOnly}
     * @param drain null with {@code bench.overloadOnly}
     * @param steps empty with {@code bench.overloadOnly}
     */
    String text(
            String postgresVersion,
            Map<Integer, Pgbench> pgbench,
            Map<Integer, Placed> api,
            int apiPayload,
            Drain drain,
            List<RateStep> steps,
            OverloadPhase.Outcome overload,
            long deadLetters,
            ConsumerLag lag) {
        String line = "=".repeat(120);
        StringBuilder out = new StringBuilder();
        out.append('\n').append(line).append('\n');
        row(out, "pipeline benchmark", Instant.now().truncatedTo(ChronoUnit.SECONDS) + "");
        row(out, "machine", machine.describe());
        row(
                out,
                "stack",
                "docker compose (images built from %s): PostgreSQL %s, apache/kafka:4.2.2, greenmail/standalone:2.1.8"
                        .formatted(root, postgresVersion));
        row(out, "settings", settings.describe());
        out.append(line).append('\n');

        baseline(out, pgbench, api, apiPayload);
        if (drain == null) {
            out.append("B. drain: not run (bench.overloadOnly)\n");
        } else {
            drain(out, drain);
        }
        if (steps.isEmpty()) {
            out.append("C. steady rates: not run (bench.overloadOnly)\n");
        } else {
            steps(out, steps);
        }
        overload.result()
                .ifPresentOrElse(
                        result -> OverloadReport.print(out, result),
                        () -> out.append("D. overload: " + overload.notRun()).append('\n'));
        CpuReport.print(out, pgbench, steps, overload.result().map(OverloadResult::cpu));
        row(out, "dead letters", deadLetters + " records on the .dlt topics (expected 0)");
        row(out, "load average", loads.describe(machine));
        if (!lag.lastError().isEmpty()) {
            row(out, "lag sampling", "failed at least once: " + lag.lastError());
        }
        out.append(line).append('\n');
        out.append(
                        steps.isEmpty()
                                ? "Highest sustained rate: not measured (bench.overloadOnly)"
                                : highestSustained(steps))
                .append('\n');
        out.append(line).append('\n');
        return out.toString();
    }

    private static void baseline(
            StringBuilder out, Map<Integer, Pgbench> pgbench, Map<Integer, Placed> api, int apiPayload) {
        out.append("A. PostgreSQL alone (pgbench, %d s)".formatted(BaselinePhase.PGBENCH_TIME.toSeconds()))
                .append(
                        api.isEmpty()
                                ? ""
                                : " and POST /orders alone (closed loop, %d s)"
                                        .formatted(BaselinePhase.CLOSED_LOOP_TIME.toSeconds()))
                .append(", stock-service and mail-service stopped\n");
        List<List<String>> rows = new ArrayList<>();
        for (int clients : BaselinePhase.CLIENTS) {
            Pgbench pg = pgbench.get(clients);
            List<String> cells = new ArrayList<>(List.of(
                    Integer.toString(clients),
                    "%.0f".formatted(pg.tps()),
                    time(percentile(pg.latencyMicros(), 0.5)),
                    time(percentile(pg.latencyMicros(), 0.99))));
            Placed placed = api.get(clients);
            if (placed != null) {
                double accepted = placed.accepted() / seconds(BaselinePhase.CLOSED_LOOP_TIME);
                cells.addAll(List.of(
                        "%.0f".formatted(accepted),
                        time(percentile(placed.latencyMicros(), 0.5)),
                        time(percentile(placed.latencyMicros(), 0.99)),
                        "%.2f".formatted(accepted / pg.tps()),
                        Integer.toString(placed.failed())));
            }
            rows.add(cells);
        }
        List<String> header = new ArrayList<>(List.of("clients", "pgbench tps", "pgbench p50", "pgbench p99"));
        if (!api.isEmpty()) {
            header.addAll(List.of("API accepted/s", "API p50", "API p99", "API/pgbench", "API failed"));
        }
        table(out, header, rows);
        out.append("   pgbench: the API's transaction (key claim, order, 1 line, outbox row of %d bytes; the API's"
                        .formatted(pgbench.get(BaselinePhase.CLIENTS.getFirst()).payloadBytes()))
                .append(" OrderPlaced payloads: %s bytes)"
                        .formatted(api.isEmpty() ? "n/a" : Integer.toString(apiPayload)))
                .append(", prepared statements, over TCP inside the postgres container\n");
        if (api.isEmpty()) {
            out.append("   POST /orders closed loop: not run (bench.overloadOnly)\n");
        }
    }

    private static void drain(StringBuilder out, Drain drain) {
        out.append("B. drain: stock-service and mail-service started on the closed loop's backlog (%s)\n"
                .formatted(drain.before().describeLag()));
        List<List<String>> groupRows = new ArrayList<>();
        drain.groups()
                .forEach((group, rate) -> groupRows.add(List.of(
                        group + " (" + ConsumerLag.GROUPS.get(group) + ")",
                        Long.toString(rate.count()),
                        "%.0f".formatted(rate.seconds()),
                        rate.perSecond())));
        table(out, List.of("group (topic)", "events consumed", "seconds", "events/s"), groupRows);
        row(out, "mails sent", drain.mails().describe("mails") + "   (mail_log.sent_at)");
        row(out, "orders reserved", drain.reservations().describe("orders") + "   (stock reservations.reserved_at)");
        row(
                out,
                "orders settled",
                drain.settled()
                        .map(rate -> rate.describe("orders") + "   (orders.settled_at)")
                        .orElse("n/a (no orders.settled_at in this version)"));
        row(
                out,
                "caught up",
                drain.caughtUp()
                        ? "every group's lag 0 after %.0f s (from the start of the two services)"
                                .formatted(drain.seconds())
                        : "NO: lag left after %.0f s: %s; the rest was skipped (groups reset to the end)"
                                .formatted(drain.seconds(), drain.last().describeLag()));
    }

    private void steps(StringBuilder out, List<RateStep> steps) {
        out.append("C. steady rates, %d s each; completed = settled and both mails SENT by step end + %d s\n"
                .formatted(settings.step().toSeconds(), SteadyRates.GRACE.toSeconds()));
        List<List<String>> rows = new ArrayList<>();
        for (RateStep step : steps) {
            if (step.notRun != null) {
                rows.add(List.of(Integer.toString(step.rate), step.notRun));
                continue;
            }
            rows.add(List.of(
                    Integer.toString(step.rate),
                    Integer.toString(step.placed.accepted() + step.placed.failed()),
                    "%.1f".formatted(step.placed.accepted() / step.seconds),
                    Integer.toString(step.placed.dropped()),
                    Integer.toString(step.placed.failed()),
                    time(percentile(step.placed.latencyMicros(), 0.5)),
                    time(percentile(step.placed.latencyMicros(), 0.99)),
                    "%.1f".formatted(step.completion.completed() / step.seconds),
                    time(percentile(step.completion.toSettled(), 0.5)),
                    time(percentile(step.completion.toSettled(), 0.99)),
                    time(percentile(step.completion.toLastMail(), 0.5)),
                    time(percentile(step.completion.toLastMail(), 0.99)),
                    step.sustained() ? "yes" : "NO"));
        }
        table(
                out,
                List.of(
                        "rate/s",
                        "sent",
                        "accepted/s",
                        "dropped",
                        "failed",
                        "POST p50",
                        "POST p99",
                        "completed/s",
                        "settled p50",
                        "settled p99",
                        "last mail p50",
                        "last mail p99",
                        "sustained"),
                rows);
        rows = new ArrayList<>();
        for (RateStep step : steps) {
            if (step.notRun != null) {
                continue;
            }
            List<String> cells = new ArrayList<>(List.of(Integer.toString(step.rate)));
            step.lags.values().forEach(group -> cells.add(group.describe()));
            cells.add("%d/%d".formatted(step.completion.confirmed(), step.completion.rejected()));
            cells.add(
                    step.mails == null
                            ? "n/a"
                            : "%d / %s / %d"
                                    .formatted(
                                            step.mails.logged(),
                                            step.mails.received() < 0
                                                    ? "not counted"
                                                    : Long.toString(step.mails.received()),
                                            step.mails.expected()));
            cells.add(step.placed.failures().isEmpty() ? "-" : step.placed.failures() + "");
            rows.add(cells);
        }
        List<String> header = new ArrayList<>(List.of("rate/s"));
        ConsumerLag.GROUPS.forEach((group, topic) -> header.add("lag " + group + " end/peak/trend"));
        header.addAll(List.of("confirmed/rejected", "mails logged/GreenMail/expected", "failures (status: n)"));
        table(out, header, rows);
        out.append(
                        "   POST = request sent -> 201; settled = request sent -> orders.settled_at; last mail = request sent ->")
                .append(" the later of its two mails' mail_log.sent_at; n/c = not completed by step end + ")
                .append(SteadyRates.GRACE.toSeconds())
                .append(" s\n   lag trend = least-squares slope over the last two thirds of the step, events/s;")
                .append(" (grew) when above 2 % of the rate + 1\n");
    }

    private static String highestSustained(List<RateStep> steps) {
        int highest = 0;
        for (RateStep step : steps) {
            if (step.notRun != null || !step.sustained()) {
                break;
            }
            highest = step.rate;
        }
        if (highest > 0) {
            return "Highest sustained rate: " + highest + " orders/s";
        }
        return "Highest sustained rate: none (" + steps.getFirst().rate + " orders/s, the lowest tried, not sustained)";
    }
}
