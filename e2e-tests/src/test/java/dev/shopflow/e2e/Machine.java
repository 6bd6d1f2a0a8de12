package dev.shopflow.e2e;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The machine as found at the start: the load average shows whether something else was running. */
record Machine(int cpus, String model, double memoryGiB, String os, double loadAverage, Instant at) {

    static Machine now() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        String model;
        try {
            model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown model");
        } catch (IOException e) {
            model = "unknown model";
        }
        return new Machine(
                Runtime.getRuntime().availableProcessors(),
                model,
                os.getTotalMemorySize() / (1024.0 * 1024 * 1024),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                os.getSystemLoadAverage(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    String describe() {
        return "%d CPUs (%s), %.1f GiB memory, %s, load average %.2f at the start (%s), benchmark JDK %s"
                .formatted(cpus, model, memoryGiB, os, loadAverage, at, Runtime.version());
    }
}
