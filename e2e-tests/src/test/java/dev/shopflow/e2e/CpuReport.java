package dev.shopflow.e2e;

import static dev.shopflow.e2e.TextTable.row;
import static dev.shopflow.e2e.TextTable.table;

import dev.shopflow.e2e.BaselinePhase.Pgbench;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
                            : ContainerUsage.ms(cpu / 1000.0 / pg.transactions())));
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
        table(out, header, ContainerUsage.cpuPerOrder(windows));
        out.append("   pgbench's own CPU counts in postgres: it runs in that container. A step's window: from its")
                .append(" start until the pipeline was quiet again; the overload's: from its closed loop's start")
                .append(" until quiet. Completed = settled and both mails SENT by the window's end; n/a = not")
                .append(" readable, or no order; >= = some containers not readable; restarted = counters reset\n");
    }
}
