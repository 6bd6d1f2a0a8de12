package dev.shopflow.e2e;

import static dev.shopflow.e2e.Progress.progress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * The compose project's containers as the kernel accounts for them: cumulative CPU time and memory of each
 * container's cgroup, read inside the container with {@code cat} (a container's own cgroup is mounted at {@code
 * /sys/fs/cgroup} on cgroup v2, and per controller below it on v1, so this works wherever the engine runs, a remote
 * or nested one too), and restarts and OOM kills from {@code docker inspect}. Unlike {@code docker stats}, the CPU
 * time is exact over any window, however busy the machine. A process started with {@code docker exec} joins the
 * container's cgroup: pgbench, psql and the {@code cat} itself count in the container they ran in.
 */
final class ContainerUsage {

    static final long UNKNOWN = -1;
    /** A memory limit of none: cgroup v2's {@code max}, or v1's huge page-aligned number. */
    static final long NO_LIMIT = Long.MAX_VALUE;

    /** The report's rows in this order; any other container (a replica, a profile's) after them. */
    static final List<String> ORDER =
            List.of("postgres", "kafka", "greenmail", "order-service", "stock-service", "mail-service", "gateway");

    static final Set<String> SERVICES = Set.of("order-service", "stock-service", "mail-service");

    /** Generous: on a 2-core machine under full load a plain {@code docker inspect} has taken more than 10 s. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(2);

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

    ContainerUsage(Compose compose) {
        this.compose = compose;
    }

    /** A running container: its report label (the compose service, "-n" for a replica past the first). */
    record Container(String id, String label, String service, int restarts, boolean oomKilled) {}

    /** One container's counters at one moment; {@link #UNKNOWN} where they could not be read. */
    record Reading(Container container, long cpuMicros, long memory, long memoryPeak, long memoryLimit) {}

    /** Every running container's reading, by label in report order. */
    record Snapshot(long nanos, Map<String, Reading> readings) {}

    /** A measured window and the orders (or transactions) it did: the CPU per order of each container. */
    record Window(String name, Snapshot from, Snapshot to, long orders) {

        /** The container's CPU time in the window; {@link #UNKNOWN} if not read at both ends or restarted between. */
        long cpuMicros(String label) {
            Reading start = from.readings().get(label);
            Reading end = to.readings().get(label);
            if (start == null || end == null || start.cpuMicros() == UNKNOWN || end.cpuMicros() == UNKNOWN) {
                return UNKNOWN;
            }
            if (restarted(label) || end.cpuMicros() < start.cpuMicros()) {
                return UNKNOWN;
            }
            return end.cpuMicros() - start.cpuMicros();
        }

        /** A restart starts a new cgroup, with counters from 0: the window's figure is lost. */
        boolean restarted(String label) {
            Reading start = from.readings().get(label);
            Reading end = to.readings().get(label);
            return start != null
                    && end != null
                    && (!start.container().id().equals(end.container().id())
                            || start.container().restarts() != end.container().restarts());
        }

        double seconds() {
            return (to.nanos() - from.nanos()) / 1e9;
        }
    }

    /** Every running container of the project, read at once (one {@code docker exec} each, in parallel). */
    Snapshot snapshot() {
        long nanos = System.nanoTime();
        List<Container> containers = containers();
        Map<String, Reading> readings = new LinkedHashMap<>();
        try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Reading>> futures = containers.stream()
                    .map(container -> readers.submit(() -> read(container)))
                    .toList();
            for (Future<Reading> future : futures) {
                Reading reading = future.get();
                readings.put(reading.container().label(), reading);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        return new Snapshot(nanos, readings);
    }

    /**
     * The project's running containers with their restart count and OOM flag ({@code docker compose ps}, then one
     * {@code docker inspect}); in report order. A container gone between the two is left out.
     */
    List<Container> containers() {
        List<String> ids = compose.containerIds();
        if (ids.isEmpty()) {
            return List.of();
        }
        String[] command = Stream.concat(Stream.of("inspect"), ids.stream()).toArray(String[]::new);
        Compose.Output inspect = compose.docker(COMMAND_TIMEOUT, command);
        if (!inspect.stdout().strip().startsWith("[")) {
            inspect = compose.docker(COMMAND_TIMEOUT, command);
        }
        if (!inspect.stdout().strip().startsWith("[")) {
            // a figure the report shows as n/a, not a reason to lose the whole run
            progress("containers not read, twice: " + inspect.stderr().strip());
            return List.of();
        }
        return Shop.json(inspect.stdout())
                .valueStream()
                .map(ContainerUsage::container)
                .sorted(Comparator.comparing((Container container) -> rank(container.label()))
                        .thenComparing(Container::label))
                .toList();
    }

    /** The report's rows: the labels of every container in any of the snapshots, in report order. */
    static List<String> labels(Collection<Snapshot> snapshots) {
        return snapshots.stream()
                .flatMap(snapshot -> snapshot.readings().keySet().stream())
                .distinct()
                .sorted(Comparator.comparing(ContainerUsage::rank).thenComparing(label -> label))
                .toList();
    }

    /**
     * The CPU per order of each window, as the report prints it: a row per container, then the three services
     * together and the whole stack, then the windows' orders, lengths and the whole stack's cores busy.
     */
    static List<List<String>> cpuPerOrder(List<Window> windows) {
        List<Snapshot> snapshots =
                windows.stream().flatMap(w -> Stream.of(w.from(), w.to())).toList();
        Map<String, String> services = new LinkedHashMap<>();
        snapshots.forEach(snapshot -> snapshot.readings()
                .forEach((label, reading) ->
                        services.put(label, reading.container().service())));
        List<String> labels = labels(snapshots);
        List<List<String>> rows = new ArrayList<>();
        for (String label : labels) {
            rows.add(cpuRow(label, windows, List.of(label)));
        }
        List<String> servicesOnly = labels.stream()
                .filter(label -> SERVICES.contains(services.get(label)))
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
            if (cpu == UNKNOWN) {
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

    static String mib(long bytes) {
        if (bytes == UNKNOWN) {
            return "n/a";
        }
        return bytes == NO_LIMIT ? "none" : "%.0f MiB".formatted(bytes / (1024.0 * 1024));
    }

    /** Samples the memory of {@code containers} every 2 s in the background until closed. */
    MemoryPeaks sampleMemory(Collection<Container> containers) {
        return new MemoryPeaks(containers);
    }

    /** The highest memory (current) seen per container label while sampling. */
    final class MemoryPeaks implements AutoCloseable {

        private final Map<String, Long> peaks = new ConcurrentHashMap<>();
        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("memory-sampler").factory());
        private volatile int rounds;

        private MemoryPeaks(Collection<Container> containers) {
            sampler.scheduleAtFixedRate(
                    () -> {
                        for (Container container : containers) {
                            long memory = read(container).memory();
                            if (memory != UNKNOWN) {
                                peaks.merge(container.label(), memory, Math::max);
                            }
                        }
                        rounds++;
                    },
                    0,
                    SAMPLE_INTERVAL.toMillis(),
                    TimeUnit.MILLISECONDS);
        }

        /** The peak of each container that could be read at least once. */
        Map<String, Long> peaks() {
            return Map.copyOf(peaks);
        }

        int rounds() {
            return rounds;
        }

        /** Stops sampling after the round in progress (not interrupted: its {@code docker exec} would be left). */
        @Override
        public void close() throws InterruptedException {
            sampler.shutdown();
            sampler.awaitTermination(30, TimeUnit.SECONDS);
        }
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
        Compose.Output cat = compose.docker(COMMAND_TIMEOUT, command.toArray(String[]::new));
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

    private static Container container(JsonNode inspect) {
        JsonNode labels = inspect.path("Config").path("Labels");
        String service = labels.path("com.docker.compose.service").asString();
        String number = labels.path("com.docker.compose.container-number").asString();
        String name = inspect.path("Name").asString().replaceFirst("^/", "");
        String label =
                service.isEmpty() ? name : number.isEmpty() || number.equals("1") ? service : service + "-" + number;
        return new Container(
                inspect.path("Id").asString(),
                label,
                service,
                inspect.path("RestartCount").asInt(),
                inspect.path("State").path("OOMKilled").asBoolean());
    }

    private static int rank(String label) {
        int rank = ORDER.indexOf(label);
        return rank < 0 ? ORDER.size() : rank;
    }
}
