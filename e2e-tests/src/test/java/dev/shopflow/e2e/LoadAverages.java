package dev.shopflow.e2e;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/** The machine's 1-minute load average after each phase: the figures mean little on a busy machine. */
final class LoadAverages {

    private final Map<String, Double> after = new LinkedHashMap<>();

    void record(String phase) {
        after.put(phase, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    String describe(Machine machine) {
        StringBuilder load = new StringBuilder("%.2f at the start".formatted(machine.loadAverage()));
        after.forEach((phase, average) -> load.append(", %.2f after %s".formatted(average, phase)));
        return load + " (1 min; %d means all CPUs busy)".formatted(machine.cpus());
    }
}
