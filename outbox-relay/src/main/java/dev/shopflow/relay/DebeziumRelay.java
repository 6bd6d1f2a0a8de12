package dev.shopflow.relay;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.source.SourceRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the embedded Debezium engine, with the {@link EngineSettings}: from {@link #start} until {@link #stop}
 * or until the engine fails. The leader starts a run; if it fails the leader starts another, which resumes from the
 * stored offsets.
 */
final class DebeziumRelay {

    private static final Logger log = LoggerFactory.getLogger(DebeziumRelay.class);

    private final RelayProperties properties;
    private final EngineSettings settings;
    private final RelayProducer producer;
    private final RelayMetrics metrics;
    private final OffsetCheck offsetCheck;
    private final ParkedEvents parked;
    private final RelayTracing tracing;

    private @Nullable Run run;

    DebeziumRelay(
            RelayProperties properties,
            EngineSettings settings,
            RelayProducer producer,
            RelayMetrics metrics,
            OffsetCheck offsetCheck,
            ParkedEvents parked,
            RelayTracing tracing) {
        this.properties = properties;
        this.settings = settings;
        this.producer = producer;
        this.metrics = metrics;
        this.offsetCheck = offsetCheck;
        this.parked = parked;
        this.tracing = tracing;
    }

    synchronized void start() {
        if (isRunning()) {
            return;
        }
        // asked at every start, not once: after a failover the primary is another of the URL's hosts
        PostgresCoordinates.Host primary;
        try {
            primary = settings.database().primary();
        } catch (IllegalStateException e) {
            metrics.engineFailed(e.getMessage());
            throw e;
        }
        offsetCheck.verify();
        offsetCheck.warnIfNotFailover(properties.failoverSlot());
        KafkaSink sink = new KafkaSink(
                producer, metrics, parked, tracing, properties.sendBackoff(), properties.maxSendBackoff());
        CountDownLatch finished = new CountDownLatch(1);
        DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
        try {
            engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                    .using(settings.properties(primary))
                    .notifying(new SnapshotWatch(sink, metrics, properties.slotName()))
                    .using((success, message, error) -> {
                        if (!success) {
                            log.error("Outbox relay engine stopped: {}", message, error);
                            metrics.engineFailed(message);
                        }
                        finished.countDown();
                    })
                    .build();
        } catch (RuntimeException e) {
            sink.close();
            throw e;
        }
        // a platform thread of the engine's own, named after the slot: DebeziumEngine.run blocks for the whole run,
        // so it is not a task for a shared TaskScheduler or executor; shutdownNow interrupts it if closing hangs
        ExecutorService thread = Executors.newSingleThreadExecutor(Thread.ofPlatform()
                .name("outbox-relay-" + properties.slotName())
                .daemon()
                .factory());
        thread.execute(engine);
        run = new Run(engine, sink, thread, finished);
        String before = metrics.engineStartedOn(primary.toString());
        if (before != null && !before.equals(primary.toString())) {
            log.warn(
                    "The PostgreSQL primary moved from {} to {}; the outbox relay resumes there (slot {})",
                    before,
                    primary,
                    properties.slotName());
        }
        log.info("Outbox relay started (slot {}) on {}", properties.slotName(), primary);
    }

    /** Why PostgreSQL invalidated this relay's slot, if it did; see {@link OffsetCheck#slotInvalidation}. */
    Optional<String> slotInvalidation() {
        return offsetCheck.slotInvalidation();
    }

    boolean isRunning() {
        return run != null && run.finished.getCount() > 0;
    }

    synchronized void stop() {
        Run current = run;
        run = null;
        if (current == null) {
            return;
        }
        current.sink.stop();
        try {
            closeEngine(current);
            if (!current.finished.await(30, TimeUnit.SECONDS)) {
                log.warn("Outbox relay engine did not stop within 30 s");
            }
        } catch (IOException e) {
            log.warn("Closing the outbox relay engine failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            current.thread.shutdownNow();
            current.sink.close();
        }
        log.info("Outbox relay stopped (slot {})", properties.slotName());
    }

    /** Closes the engine unless it has stopped by itself (failed): closing a stopped engine throws. */
    private static void closeEngine(Run run) throws IOException {
        if (run.finished.getCount() == 0) {
            return;
        }
        try {
            run.engine.close();
        } catch (IllegalStateException stoppedMeanwhile) {
            log.debug("The outbox relay engine had stopped by itself: {}", stoppedMeanwhile.getMessage());
        }
    }

    private record Run(
            DebeziumEngine<RecordChangeEvent<SourceRecord>> engine,
            KafkaSink sink,
            ExecutorService thread,
            CountDownLatch finished) {}
}
