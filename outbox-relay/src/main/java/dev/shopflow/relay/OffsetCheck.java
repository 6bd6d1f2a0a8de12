package dev.shopflow.relay;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Before each start, compares the position the relay stored with the replication slot on the server, and reports
 * (log and health) when they disagree:
 *
 * <ul>
 *   <li>offset stored but no slot: the slot was dropped; Debezium creates a new one and, with {@code
 *       snapshot.mode=when_needed}, re-reads the outbox table, but rows already deleted by retention are gone;
 *   <li>slot but no offset: offsets were lost; the outbox table is re-read, so events are sent again;
 *   <li>slot ahead of the offset: the slot confirmed changes this relay has no record of sending (offsets
 *       restored from an old backup, or another relay used the slot). Starting would skip them for good, so the
 *       check refuses to start the engine: the relay stays down (health DOWN, the problem and what to do in its
 *       details and the log) until an operator decides, see {@link #slotAheadAction}.
 * </ul>
 *
 * <p>A slot PostgreSQL invalidated ({@link SlotMonitor#invalidation}: it fell more than {@code
 * max_slot_wal_keep_size} behind while Kafka was down, for example) can never stream again, and Debezium would
 * retry it for half an hour, fail, and do the same after every restart. The check drops it and the stored offset,
 * so the engine starts as on first start: it creates the slot again and re-reads the outbox table. {@link
 * OutboxRetention} keeps every row Kafka has not acknowledged, so nothing is lost; the events of the last retention
 * period are sent again, and consumers drop them as duplicates. While the engine runs, the leader asks {@link
 * #slotInvalidation} at every check and restarts the engine when the slot is lost, so this check runs.
 */
final class OffsetCheck {

    private static final Logger log = LoggerFactory.getLogger(OffsetCheck.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;
    private final SlotMonitor slot;
    private final String slotName;
    private final RelayMetrics metrics;
    private final AtomicReference<@Nullable String> problem = new AtomicReference<>();

    OffsetCheck(JdbcClient jdbc, SlotMonitor slot, String slotName, RelayMetrics metrics) {
        this.jdbc = jdbc;
        this.slot = slot;
        this.slotName = slotName;
        this.metrics = metrics;
    }

    void verify() {
        Optional<String> invalidated = slot.invalidation();
        if (invalidated.isPresent()) {
            recoverLostSlot(invalidated.get());
            return;
        }
        Optional<Long> stored = storedLsn();
        Optional<Long> confirmed = slot.confirmedFlushLsn();
        String found = null;
        if (stored.isPresent() && confirmed.isEmpty()) {
            found = "an offset is stored (LSN " + stored.get() + ") but replication slot " + slotName
                    + " does not exist: the outbox table will be re-read; events deleted by retention cannot be re-sent";
        } else if (stored.isEmpty() && confirmed.isPresent()) {
            found = "replication slot " + slotName + " exists but no offset is stored: the outbox table will be"
                    + " re-read and its events sent again";
        } else if (stored.isPresent() && stored.get() < confirmed.get()) {
            found = "replication slot " + slotName + " confirmed LSN " + confirmed.get()
                    + ", ahead of the stored offset " + stored.get() + ": starting would skip the changes in between,"
                    + " so the relay stays stopped. " + slotAheadAction();
            problem.set(found);
            log.error("Outbox relay offset check: {}", found);
            throw new IllegalStateException(found);
        }
        problem.set(found);
        if (found != null) {
            log.error("Outbox relay offset check: {}", found);
        } else {
            log.info(
                    "Outbox relay offset check: stored offset {} and slot {} agree",
                    stored.map(String::valueOf).orElse("none"),
                    confirmed.map(String::valueOf).orElse("none"));
        }
    }

    /**
     * Warns when the slot exists as a plain slot although the relay asks for a failover slot: Debezium sets
     * failover only when it creates the slot, so an older slot stays plain, PostgreSQL does not synchronise it to
     * standbys, and after a failover the relay finds no slot and re-reads the outbox.
     */
    void warnIfNotFailover(boolean wanted) {
        if (wanted && slot.failover().equals(Optional.of(false))) {
            log.warn(
                    "Replication slot {} is not a failover slot, so PostgreSQL does not synchronise it to standbys:"
                            + " after a failover the relay would find no slot and re-read the outbox. Convert it while"
                            + " the relay is stopped: ALTER_REPLICATION_SLOT {} (FAILOVER true) on a replication"
                            + " connection (docs/outbox-relay.md, \"Failover to a PostgreSQL standby\")",
                    slotName,
                    slotName);
        }
    }

    /**
     * What an operator does when the slot is ahead of the stored offset: re-read the outbox table (drop the slot
     * and the stored offset; the relay starts as on first start). Events of the retention period are sent again and
     * consumers drop them as duplicates; changes older than the retention that were never relayed are gone either
     * way, which is why the relay does not decide this by itself.
     */
    String slotAheadAction() {
        return "To re-read the outbox table (events of the retention period are sent again; consumers drop"
                + " duplicates): select pg_drop_replication_slot('" + slotName + "'); delete from "
                + EngineSettings.OFFSET_TABLE + " where offset_key like '%\"server\":\"" + slotName
                + "\"%'; (docs/operations-monitoring.md, \"Slot ahead of the stored offset\")";
    }

    private void recoverLostSlot(String reason) {
        String found = "replication slot " + slotName + " was invalidated by PostgreSQL (" + reason + ") at about "
                + Instant.now() + "; dropped it and the stored offset: the relay re-reads the outbox table, events"
                + " Kafka acknowledged within the retention are sent again";
        log.error("Outbox relay offset check: {}", found);
        slot.drop();
        int deleted = jdbc.sql("delete from " + EngineSettings.OFFSET_TABLE + " where offset_key like :key")
                .param("key", "%\"server\":\"" + slotName + "\"%")
                .update();
        log.info("Dropped replication slot {} and {} stored offset rows", slotName, deleted);
        metrics.slotRecreated();
        problem.set(found);
    }

    /**
     * Why PostgreSQL invalidated the slot, if it did: asked by the leader while its engine runs, since Debezium
     * retries an invalidated slot for half an hour before it fails. Empty when it cannot tell.
     */
    Optional<String> slotInvalidation() {
        try {
            return slot.invalidation();
        } catch (RuntimeException e) {
            log.debug("Could not read the state of replication slot {}", slotName, e);
            return Optional.empty();
        }
    }

    Optional<String> problem() {
        return Optional.ofNullable(problem.get());
    }

    /**
     * How far the newest offset this relay stored says the changes were handled, if it stored one: the greatest of
     * its LSNs. Debezium confirms to the slot the commit LSN of the last transaction it handled whole
     * ({@code lsn_commit}), which lies beyond the LSN of that transaction's last change ({@code lsn}) once a
     * heartbeat has stored an offset after it; a slot at that commit LSN skips nothing.
     */
    Optional<Long> storedLsn() {
        boolean tableExists = jdbc.sql("select to_regclass(:table) is not null")
                .param("table", EngineSettings.OFFSET_TABLE)
                .query(Boolean.class)
                .single();
        if (!tableExists) {
            return Optional.empty();
        }
        List<String> offsets = jdbc.sql("select offset_val from " + EngineSettings.OFFSET_TABLE
                        + " where offset_key like :key order by record_insert_seq desc")
                .param("key", "%\"server\":\"" + slotName + "\"%")
                .query(String.class)
                .list();
        for (String offset : offsets) {
            JsonNode stored = JSON.readTree(offset);
            Optional<Long> handled = Stream.of("lsn", "lsn_commit", "lsn_proc")
                    .map(stored::get)
                    .filter(lsn -> lsn != null && lsn.isNumber())
                    .map(JsonNode::longValue)
                    .max(Long::compare);
            if (handled.isPresent()) {
                return handled;
            }
        }
        return Optional.empty();
    }
}
