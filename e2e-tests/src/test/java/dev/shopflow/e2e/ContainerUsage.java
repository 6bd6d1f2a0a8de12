package dev.shopflow.e2e;

import static dev.shopflow.e2e.Progress.progress;

import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private final Compose compose;
    private final CgroupReader reader;

    ContainerUsage(Compose compose) {
        this.compose = compose;
        this.reader = new CgroupReader(compose);
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
                    .map(container -> readers.submit(() -> reader.read(container)))
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

    /** Samples the memory of {@code containers} every 2 s in the background until closed. */
    MemoryPeaks sampleMemory(Collection<Container> containers) {
        return new MemoryPeaks(reader, containers);
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
