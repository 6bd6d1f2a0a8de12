package dev.shopflow.outbox;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Reads the replication slot's state from PostgreSQL. */
final class SlotMonitor {

    private static final Logger log = LoggerFactory.getLogger(SlotMonitor.class);

    private final JdbcClient jdbc;
    private final String slotName;

    SlotMonitor(JdbcClient jdbc, String slotName) {
        this.jdbc = jdbc;
        this.slotName = slotName;
    }

    /** WAL bytes the slot holds back on the server; NaN when there is no slot or the database does not answer. */
    double retainedWalBytes() {
        try {
            return jdbc.sql("""
                            select pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)
                            from pg_replication_slots where slot_name = :slot""")
                    .param("slot", slotName)
                    .query(Double.class)
                    .optional()
                    .orElse(Double.NaN);
        } catch (RuntimeException e) {
            log.debug("Could not read the retained WAL of slot {}", slotName, e);
            return Double.NaN;
        }
    }

    /** The position up to which the server considers the slot's changes consumed, as an LSN number. */
    Optional<Long> confirmedFlushLsn() {
        return jdbc.sql("""
                        select pg_wal_lsn_diff(confirmed_flush_lsn, '0/0')::bigint
                        from pg_replication_slots where slot_name = :slot""").param("slot", slotName).query(Long.class).optional();
    }
}
