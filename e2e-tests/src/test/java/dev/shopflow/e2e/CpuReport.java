package dev.shopflow.e2e;

import static dev.shopflow.e2e.TextTable.row;
import static dev.shopflow.e2e.TextTable.table;

import dev.shopflow.e2e.BaselinePhase.Pgbench;
import dev.shopflow.e2e.ContainerUsage.Snapshot;
import dev.shopflow.e2e.ContainerUsage.Window;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** Section E of the pipeline benchmark's report: the CPU per order, from the containers' cgroup CPU time. */
final class CpuReport {

    private CpuReport() {}

    /**
     * The yardstick (PostgreSQL's CPU per pgbench transaction), then each steady step's window and the overload
     * phase's.
     */
    static void print(
            StringBuilder out,
            Map<Integer, Pgbench> pgbench,
            List<RateStep> steps,
            Optional<ContainerUsage.Window> overload) {
        out.append("E. CPU per completed order, ms (each container's cgroup CPU time over the window / the window's")
                .append(" completed orders)\n");
        List<List<String>> rows = new ArrayList<>();
        pgbench.forEach((clients, pg) -> {
            long cpu = pg.cpu().cpuMicros("postgres");
            rows.add(List.of(
                    Integer.toString(clients),
                    Long.toString(pg.transactions()),
                    cpu == ContainerUsage.UNKNOWN ? "n/a" : "%.0f".formatted(cpu / 1000.0),
                    cpu == ContainerUsage.UNKNOWN
                            ? "n/a"
                            : "%.2f".formatted(cpu / 1e6 / pg.cpu().seconds()),
                    cpu == ContainerUsage.UNKNOWN || pg.transactions() == 0
                            ? "n/a"
                            : ms(cpu / 1000.0 / pg.transactions())));
        });
        table(
                out,
                List.of(
                        "pgbench clients",
                        "transactions",
                        "postgres CPU ms",
                        "postgres cores busy",
                        "postgres CPU ms/transaction"),
                rows);
        List<ContainerUsage.Window> windows = new ArrayList<>();
        steps.stream().filter(step -> step.cpu != null).forEach(step -> windows.add(step.cpu));
        overload.ifPresent(windows::add);
        if (windows.isEmpty()) {
            row(out, "steps, overload", "no window measured");
            return;
        }
        List<String> header = new ArrayList<>(List.of("container"));
        windows.forEach(window -> header.add(window.name()));
        table(out, header, cpuPerOrder(windows));
        out.append("   pgbench's own CPU counts in postgres: it runs in that container. A step's window: from its")
                .append(" start until the pipeline was quiet again; the overload's: from its closed loop's start")
                .append(" until quiet. Completed = settled and both mails SENT by the window's end; n/a = not")
                .append(" readable, or no order; >= = some containers not readable; restarted = counters reset\n");
    }

    /**
     * The CPU per order of each window, as the report prints it: a row per container, then the three services
     * together and the whole stack, then the windows' orders, lengths and the whole stack's cores busy.
     */
    private static List<List<String>> cpuPerOrder(List<Window> windows) {
        List<Snapshot> snapshots =
                windows.stream().flatMap(w -> Stream.of(w.from(), w.to())).toList();
        Map<String, String> services = new LinkedHashMap<>();
        snapshots.forEach(snapshot -> snapshot.readings()
                .forEach((label, reading) ->
                        services.put(label, reading.container().service())));
        List<String> labels = ContainerUsage.labels(snapshots);
        List<List<String>> rows = new ArrayList<>();
        for (String label : labels) {
            rows.add(cpuRow(label, windows, List.of(label)));
        }
        List<String> servicesOnly = labels.stream()
                .filter(label -> ContainerUsage.SERVICES.contains(services.get(label)))
                .toList();
        rows.add(cpuRow("services (order+stock+mail)", windows, servicesOnly));
        rows.add(cpuRow("whole stack", windows, labels));
        List<String> orders = new ArrayList<>(List.of("completed orders"));
        List<String> seconds = new ArrayList<>(List.of("window, s"));
        List<String> cores = new ArrayList<>(List.of("whole stack, cores busy"));
        for (Window window : windows) {
            orders.add(Long.toString(window.orders()));
            seconds.add("%.0f".formatted(window.seconds()));
            cores.add(total(window, labels)
                    .map(total -> total.prefix() + "%.2f".formatted(total.micros() / 1e6 / window.seconds()))
                    .orElse("n/a"));
        }
        rows.addAll(List.of(orders, seconds, cores));
        return rows;
    }

    /** One row: per window, the containers' CPU ms together per order. */
    private static List<String> cpuRow(String name, List<Window> windows, List<String> labels) {
        List<String> row = new ArrayList<>(List.of(name));
        for (Window window : windows) {
            Optional<Total> total = total(window, labels);
            if (total.isEmpty() && labels.size() == 1 && window.restarted(labels.getFirst())) {
                row.add("restarted");
            } else if (total.isEmpty() || window.orders() == 0) {
                row.add("n/a");
            } else {
                row.add(total.get().prefix() + ms(total.get().micros() / 1000.0 / window.orders()));
            }
        }
        return row;
    }

    /** CPU time of several containers together; {@code partial} when some of them could not be read. */
    private record Total(long micros, boolean partial) {

        /** "&gt;=": the containers that could not be read would only add to it. */
        String prefix() {
            return partial ? ">=" : "";
        }
    }

    /** The containers' CPU in the window together; empty when none of them could be read. */
    private static Optional<Total> total(Window window, List<String> labels) {
        long known = 0;
        int unknown = 0;
        for (String label : labels) {
            long cpu = window.cpuMicros(label);
            if (cpu == ContainerUsage.UNKNOWN) {
                unknown++;
            } else {
                known += cpu;
            }
        }
        return unknown == labels.size() ? Optional.empty() : Optional.of(new Total(known, unknown > 0));
    }

    /** Milliseconds with three significant digits or so: 0.412, 4.12, 41.2. */
    static String ms(double millis) {
        return millis < 1
                ? "%.3f".formatted(millis)
                : millis < 10 ? "%.2f".formatted(millis) : "%.1f".formatted(millis);
    }
}
