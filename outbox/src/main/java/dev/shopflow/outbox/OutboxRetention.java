package dev.shopflow.outbox;

import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Keeps the outbox from growing without bound: the leader deletes rows older than the retention, in small
 * batches, once a minute. Deleting is safe for capture at any time: logical decoding reads an insert from the
 * WAL, not from the table, and the publication does not publish deletes. Rows are kept for a while only so
 * that people can look at what was sent.
 */
final class OutboxRetention {

    private static final Logger log = LoggerFactory.getLogger(OutboxRetention.class);
    private static final Duration EVERY = Duration.ofMinutes(1);
    private static final int BATCH = 5_000;

    private final JdbcClient jdbc;
    private final Duration retention;
    private Instant nextRun = Instant.EPOCH;

    OutboxRetention(JdbcClient jdbc, Duration retention) {
        this.jdbc = jdbc;
        this.retention = retention;
    }

    void runIfDue() {
        if (Instant.now().isBefore(nextRun)) {
            return;
        }
        nextRun = Instant.now().plus(EVERY);
        int outbox = deleteOlderThan("outbox", "timestamp", retention);
        deleteOlderThan("outbox_heartbeat", "beat_at", Duration.ofMinutes(1));
        if (outbox > 0) {
            log.info("Deleted {} outbox rows older than {}", outbox, retention);
        }
    }

    private int deleteOlderThan(String table, String column, Duration age) {
        int total = 0;
        int deleted;
        do {
            deleted = jdbc.sql("delete from " + table + " where ctid in (select ctid from " + table + " where " + column
                            + " < now() - make_interval(secs => :seconds) limit " + BATCH + ")")
                    .param("seconds", (double) age.toSeconds())
                    .update();
            total += deleted;
        } while (deleted == BATCH);
        return total;
    }
}
