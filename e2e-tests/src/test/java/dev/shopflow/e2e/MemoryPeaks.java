package dev.shopflow.e2e;

import dev.shopflow.e2e.ContainerUsage.Container;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The highest memory (current) seen per container label, sampled every 2 s in the background until closed. */
final class MemoryPeaks implements AutoCloseable {

    private static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(2);

    private final Map<String, Long> peaks = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("memory-sampler").factory());
    private volatile int rounds;

    MemoryPeaks(CgroupReader reader, Collection<Container> containers) {
        sampler.scheduleAtFixedRate(
                () -> {
                    for (Container container : containers) {
                        long memory = reader.read(container).memory();
                        if (memory != ContainerUsage.UNKNOWN) {
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
