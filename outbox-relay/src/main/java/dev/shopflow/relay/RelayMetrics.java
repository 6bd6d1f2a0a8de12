package dev.shopflow.relay;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/** The relay's meters, and the state its health indicator reports. */
final class RelayMetrics {

    private final MeterRegistry registry;
    private final Counter failures;
    private final Counter slotsRecreated;
    private final Counter primaryChanges;
    private final Counter snapshots;
    private final AtomicReference<@Nullable String> primary = new AtomicReference<>();
    private final AtomicReference<@Nullable Instant> lastProgress = new AtomicReference<>();
    private final AtomicReference<@Nullable Instant> relayedUntil = new AtomicReference<>();
    private final AtomicReference<@Nullable Instant> failingSince = new AtomicReference<>();
    private final AtomicReference<@Nullable Instant> sendingSince = new AtomicReference<>();
    private final AtomicReference<@Nullable String> lastError = new AtomicReference<>();

    RelayMetrics(MeterRegistry registry, RelayLeadership leadership, SlotMonitor slot) {
        this.registry = registry;
        this.failures = Counter.builder("shopflow.outbox.relay.send.failures")
                .description("Sends Kafka did not acknowledge (each is retried)")
                .register(registry);
        this.slotsRecreated = Counter.builder("shopflow.outbox.relay.slot.recreated")
                .description("Replication slots found invalidated (lost), dropped and created again, re-reading the"
                        + " outbox")
                .register(registry);
        this.snapshots = Counter.builder("shopflow.outbox.relay.snapshots")
                .description("Reads of the whole outbox table (Debezium snapshots): the first start, and re-reads"
                        + " after a lost slot or offset, which send the events again")
                .register(registry);
        this.primaryChanges = Counter.builder("shopflow.outbox.relay.primary.changes")
                .description("Engine starts on another PostgreSQL host than the previous start (a failover or"
                        + " switchover among the JDBC URL's hosts)")
                .register(registry);
        Gauge.builder("shopflow.outbox.relay.leader", leadership, l -> l.isLeader() ? 1 : 0)
                .description("1 while this replica runs the relay")
                .register(registry);
        Gauge.builder("shopflow.outbox.relay.slot.retained.wal", slot, SlotMonitor::retainedWalBytes)
                .description("WAL the replication slot keeps on the database server")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("shopflow.outbox.relay.heartbeat.age", this, m -> m.secondsSinceProgress(leadership))
                .description("Seconds since the leader last received a change or heartbeat (or took the lead, if it"
                        + " has received nothing since)")
                .baseUnit("seconds")
                .register(registry);
    }

    void relayed(String topic, Duration commitToAck) {
        Counter.builder("shopflow.outbox.relay.events")
                .description("Outbox events acknowledged by Kafka")
                .tag("topic", topic)
                .register(registry)
                .increment();
        Timer.builder("shopflow.outbox.relay.lag")
                .description("From the commit of the outbox row to Kafka's acknowledgement")
                .publishPercentileHistogram()
                .register(registry)
                .record(commitToAck);
    }

    /**
     * A batch is done: Kafka acknowledged every event in it.
     *
     * @param committedUntil the commit time of the newest change in the batch (heartbeats included), if any
     */
    void batchProcessed(@Nullable Instant committedUntil) {
        lastProgress.set(Instant.now());
        if (committedUntil != null) {
            relayedUntil.accumulateAndGet(
                    committedUntil, (before, now) -> before == null || now.isAfter(before) ? now : before);
        }
    }

    void sendFailed(@Nullable Exception error) {
        failures.increment();
        failingSince.compareAndSet(null, Instant.now());
        lastError.set(String.valueOf(error));
    }

    /** Publishes the number of parked events ({@code shopflow.outbox.relay.parked}). */
    void watch(ParkedEvents parked) {
        Gauge.builder("shopflow.outbox.relay.parked", parked, ParkedEvents::count)
                .description("Events Kafka refused for good, waiting in outbox_parked for a person to re-drive them")
                .register(registry);
    }

    void parked(String topic) {
        Counter.builder("shopflow.outbox.relay.parked.events")
                .description("Events Kafka refused for good, parked in outbox_parked")
                .tag("topic", topic)
                .register(registry)
                .increment();
    }

    /** The sink started waiting for Kafka to take a batch (null: it is not waiting). */
    void sendingSince(@Nullable Instant since) {
        sendingSince.set(since);
    }

    /**
     * Since when Kafka has not acknowledged what the relay sends: a failed send, or a batch waiting longer than
     * {@code stalledAfter} (a producer blocked on metadata fails only after {@code max.block.ms}).
     */
    @Nullable
    Instant failingSince(Duration stalledAfter) {
        Instant failing = failingSince.get();
        if (failing != null) {
            return failing;
        }
        Instant sending = sendingSince.get();
        return sending != null && sending.plus(stalledAfter).isBefore(Instant.now()) ? sending : null;
    }

    void sendRecovered() {
        failingSince.set(null);
    }

    void snapshotStarted() {
        snapshots.increment();
    }

    /** How many snapshots this replica's engines started ({@code shopflow.outbox.relay.snapshots}). */
    double snapshots() {
        return snapshots.count();
    }

    void slotRecreated() {
        slotsRecreated.increment();
    }

    /**
     * The engine was started on this PostgreSQL host ({@code name:port}), the primary at the time; returns the host
     * of the start before, if any.
     */
    @Nullable
    String engineStartedOn(String host) {
        String before = primary.getAndSet(host);
        if (before != null && !before.equals(host)) {
            primaryChanges.increment();
        }
        return before;
    }

    /** The host the engine was last started on; null before the first start. */
    @Nullable
    String primary() {
        return primary.get();
    }

    void engineFailed(String error) {
        lastError.set(error);
    }

    @Nullable
    Instant lastProgress() {
        return lastProgress.get();
    }

    /**
     * Every change committed up to this time (the database's clock) has been acknowledged by Kafka; null until
     * this leader's first batch.
     */
    @Nullable
    Instant relayedUntil() {
        return relayedUntil.get();
    }

    @Nullable
    Instant failingSince() {
        return failingSince.get();
    }

    @Nullable
    String lastError() {
        return lastError.get();
    }

    private double secondsSinceProgress(RelayLeadership leadership) {
        Instant since = leadership.leaderSince();
        if (since == null) {
            return Double.NaN; // a standby relays nothing
        }
        Instant progress = lastProgress.get();
        // a leader whose engine never got going grows old from the moment it took the lead
        Instant last = progress == null || progress.isBefore(since) ? since : progress;
        return Duration.between(last, Instant.now()).toMillis() / 1000.0;
    }
}
