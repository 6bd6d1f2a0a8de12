package dev.shopflow.relay;

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

    /**
     * WAL bytes the slot holds back on the server: 0 for an invalidated slot (it holds none); NaN when there is no
     * slot or the database does not answer.
     */
    double retainedWalBytes() {
        try {
            return jdbc.sql("""
                            select coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)
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

    /**
     * Why the slot can no longer be used, when PostgreSQL invalidated it ({@code wal_status = 'lost'}, or no
     * {@code restart_lsn}): past {@code max_slot_wal_keep_size} ({@code wal_removed}), a conflict on a standby,
     * an idle timeout. Such a slot stays in {@code pg_replication_slots} but can never stream again.
     */
    Optional<String> invalidation() {
        return jdbc.sql("""
                        select coalesce(to_jsonb(s) ->> 'invalidation_reason', 'wal_status ' || coalesce(s.wal_status, 'unknown'))
                        from pg_replication_slots s
                        where s.slot_name = :slot and (s.wal_status = 'lost' or s.restart_lsn is null)""").param("slot", slotName).query(String.class).optional();
    }

    /**
     * Whether the slot is a failover slot ({@code pg_replication_slots.failover}, PostgreSQL 17 and later); empty
     * when there is no slot or the server has no such column.
     */
    Optional<Boolean> failover() {
        return jdbc.sql("""
                        select coalesce(to_jsonb(s) ->> 'failover', 'unknown')
                        from pg_replication_slots s where s.slot_name = :slot""")
                .param("slot", slotName)
                .query(String.class)
                .optional()
                .filter(failover -> !failover.equals("unknown"))
                .map(Boolean::parseBoolean);
    }

    /** Drops the slot; it must not be in use. */
    void drop() {
        jdbc.sql("select pg_drop_replication_slot(:slot)")
                .param("slot", slotName)
                .query()
                .singleRow();
    }

    /** The position up to which the server considers the slot's changes consumed, as an LSN number. */
    Optional<Long> confirmedFlushLsn() {
        return jdbc.sql("""
                        select pg_wal_lsn_diff(confirmed_flush_lsn, '0/0')::bigint
                        from pg_replication_slots where slot_name = :slot""").param("slot", slotName).query(Long.class).optional();
    }
}
