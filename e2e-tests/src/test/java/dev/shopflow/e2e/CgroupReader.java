package dev.shopflow.e2e;

import static dev.shopflow.e2e.ContainerUsage.NO_LIMIT;
import static dev.shopflow.e2e.ContainerUsage.UNKNOWN;

import dev.shopflow.e2e.ContainerUsage.Container;
import dev.shopflow.e2e.ContainerUsage.Reading;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A container's counters from its own cgroup, read inside it with one {@code cat}: a container's cgroup is mounted at
 * {@code /sys/fs/cgroup} on cgroup v2, and per controller below it on v1, so this works wherever the engine runs.
 */
final class CgroupReader {

    /**
     * Where each version keeps the figures: memory now, its high-water mark and limit, then the CPU time, last
     * because v2's {@code cpu.stat} has several lines and the others one each.
     */
    private enum Cgroup {
        V2(
                "/sys/fs/cgroup/memory.current",
                "/sys/fs/cgroup/memory.peak",
                "/sys/fs/cgroup/memory.max",
                "/sys/fs/cgroup/cpu.stat"),
        V1(
                "/sys/fs/cgroup/memory/memory.usage_in_bytes",
                "/sys/fs/cgroup/memory/memory.max_usage_in_bytes",
                "/sys/fs/cgroup/memory/memory.limit_in_bytes",
                "/sys/fs/cgroup/cpuacct/cpuacct.usage");

        final List<String> files;

        Cgroup(String... files) {
            this.files = List.of(files);
        }

        String cpuFile() {
            return files.getLast();
        }
    }

    private final Compose compose;
    /** The cgroup version each container answered with, so that later reads take one {@code docker exec}. */
    private final Map<String, Cgroup> versions = new ConcurrentHashMap<>();

    CgroupReader(Compose compose) {
        this.compose = compose;
    }

    /** The container's counters; every figure {@link #UNKNOWN} when neither cgroup version could be read. */
    Reading read(Container container) {
        Cgroup known = versions.get(container.id());
        for (Cgroup cgroup : known != null ? List.of(known) : List.of(Cgroup.V2, Cgroup.V1)) {
            Optional<Reading> reading = read(container, cgroup);
            if (reading.isPresent()) {
                versions.put(container.id(), cgroup);
                return reading.get();
            }
        }
        return new Reading(container, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN);
    }

    /**
     * One {@code cat} of all the version's files. A file that is not there (v2's {@code memory.peak} before Linux
     * 5.19; every file of the other version) is named on standard error and prints nothing, so the lines on
     * standard output belong to the files that are there, in order. Empty when the CPU file is not there, or
     * nothing could be run ({@code cat} missing, the container stopped).
     */
    private Optional<Reading> read(Container container, Cgroup cgroup) {
        List<String> command = new ArrayList<>(List.of("exec", container.id(), "cat"));
        command.addAll(cgroup.files);
        Compose.Output cat = compose.docker(ContainerUsage.COMMAND_TIMEOUT, command.toArray(String[]::new));
        if (cat.exitCode() != 0 && cgroup.files.stream().noneMatch(cat.stderr()::contains)) {
            return Optional.empty();
        }
        List<String> present = cgroup.files.stream()
                .filter(file -> !cat.stderr().contains(file))
                .toList();
        if (!present.contains(cgroup.cpuFile())) {
            return Optional.empty();
        }
        List<String> lines = cat.stdout().lines().map(String::strip).toList();
        try {
            Map<String, Long> values = new LinkedHashMap<>();
            for (int i = 0; i < present.size() - 1; i++) {
                values.put(present.get(i), bytes(lines.get(i)));
            }
            List<String> cpu = lines.subList(present.size() - 1, lines.size());
            long cpuMicros = cgroup == Cgroup.V2
                    ? cpu.stream()
                            .filter(line -> line.startsWith("usage_usec "))
                            .mapToLong(line -> Long.parseLong(line.substring("usage_usec ".length())))
                            .findFirst()
                            .orElse(UNKNOWN)
                    : Long.parseLong(cpu.getFirst()) / 1000;
            return Optional.of(new Reading(
                    container,
                    cpuMicros,
                    values.getOrDefault(cgroup.files.get(0), UNKNOWN),
                    values.getOrDefault(cgroup.files.get(1), UNKNOWN),
                    values.getOrDefault(cgroup.files.get(2), UNKNOWN)));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A byte count as cgroups print it; "max" (v2) and v1's page-aligned 2^63 are no limit. */
    private static long bytes(String text) {
        if (text.equals("max")) {
            return NO_LIMIT;
        }
        long value = Long.parseLong(text);
        return value >= 1L << 62 ? NO_LIMIT : value;
    }
}
