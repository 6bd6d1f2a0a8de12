package dev.shopflow.relay;

import dev.shopflow.retention.BatchedDelete;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Keeps the outbox from growing without bound: the leader deletes relayed rows older than the retention, in
 * small batches, once a minute. Rows are kept for a while so that people can look at what was sent, and so that
 * a relay that must re-read the table (its slot lost, see {@link OffsetCheck}) finds every event Kafka has not
 * acknowledged.
 *
 * <p>Only rows Kafka has acknowledged are deleted: the cutoff is the retention before the commit time of the
 * newest change the relay got acknowledged ({@link RelayMetrics#relayedUntil}, heartbeats included, so it
 * follows the clock while the outbox is quiet), never before now. While Kafka is unreachable that time stands
 * still, and so does retention. Nothing is deleted before this leader has had a batch acknowledged, nor while
 * its sends fail. The one assumption: no transaction that writes to the outbox stays open longer than the
 * retention (changes are relayed in commit order, rows carry their insert time).
 */
final class OutboxRetention {

    private static final Logger log = LoggerFactory.getLogger(OutboxRetention.class);
    private static final Duration EVERY = Duration.ofMinutes(1);

    private final JdbcClient jdbc;
    private final Duration retention;
    private final RelayMetrics relay;
    private Instant nextRun = Instant.EPOCH;

    OutboxRetention(JdbcClient jdbc, Duration retention, RelayMetrics relay) {
        this.jdbc = jdbc;
        this.retention = retention;
        this.relay = relay;
    }

    void runIfDue() {
        if (Instant.now().isBefore(nextRun)) {
            return;
        }
        nextRun = Instant.now().plus(EVERY);
        run();
    }

    /** Deletes what may be deleted now; returns the number of outbox rows deleted. */
    int run() {
        BatchedDelete.run(jdbc, "outbox_heartbeat", "beat_at < now() - interval '1 minute'", Map.of(), deleted -> {});
        Instant relayedUntil = relay.relayedUntil();
        if (relayedUntil == null || relay.failingSince() != null) {
            log.debug("Outbox retention waits: relayed until {}, failing since {}", relayedUntil, relay.failingSince());
            return 0;
        }
        int outbox = BatchedDelete.run(
                jdbc,
                "outbox",
                "timestamp < least(now(), :relayedUntil) - make_interval(secs => :seconds)",
                Map.of("relayedUntil", Timestamp.from(relayedUntil), "seconds", (double) retention.toSeconds()),
                deleted -> {});
        if (outbox > 0) {
            log.info("Deleted {} relayed outbox rows older than {}", outbox, retention);
        }
        return outbox;
    }
}
