package dev.shopflow.relay;

import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The settings of the relay's embedded Debezium engine and PostgreSQL connector: what to capture and from where,
 * where the position is stored, how batches are handed over and how failover is retried; then the application's
 * own {@code shopflow.outbox.relay.debezium.*}, except {@link #FIXED_SETTINGS}.
 */
final class EngineSettings {

    static final String OFFSET_TABLE = "outbox_relay_offsets";
    static final String PUBLICATION = "outbox_publication";

    /**
     * Settings that {@code shopflow.outbox.relay.debezium.*} may not override: what to capture and from where,
     * where the position is stored, and how a lost position is recovered. Changing them would relay another
     * table, lose the stored position or skip the re-read after a lost slot. {@code slot.failover} has its own
     * property ({@code failover-slot}), which the start-up check of an existing slot reads.
     *
     * <p>{@code offset.mismatch.strategy} (and the older {@code slot.seek.to.known.offset.on.start}) stay at
     * {@code no_validation}: with {@code trust_slot} or {@code trust_greater_lsn} Debezium 3.6 takes any slot as
     * a valid position, a slot created afresh on a new primary included, and skips the re-read of the outbox,
     * losing what was never relayed; {@code trust_offset} only adds what {@link OffsetCheck} does already (refuse
     * a slot ahead of the stored offset), and moving the slot to the offset gains nothing, since the server
     * streams from the greater of the two anyway.
     */
    static final Set<String> FIXED_SETTINGS = Set.of(
            "name",
            "connector.class",
            "topic.prefix",
            "offset.storage",
            "offset.storage.jdbc.table.name",
            "plugin.name",
            "slot.name",
            "publication.name",
            "publication.autocreate.mode",
            "table.include.list",
            "skipped.operations",
            "snapshot.mode",
            "snapshot.select.statement.overrides",
            "snapshot.select.statement.overrides.public.outbox",
            "heartbeat.action.query",
            "slot.failover",
            "offset.mismatch.strategy",
            "slot.seek.to.known.offset.on.start");

    private final RelayProperties properties;
    private final PostgresCoordinates database;
    private final String kafkaBootstrapServers;

    EngineSettings(RelayProperties properties, PostgresCoordinates database, String kafkaBootstrapServers) {
        this.properties = properties;
        this.database = database;
        this.kafkaBootstrapServers = kafkaBootstrapServers;
    }

    PostgresCoordinates database() {
        return database;
    }

    /**
     * The engine's properties, a new set each call, for the server that is the primary now (of the JDBC URL's
     * hosts, see {@link PostgresCoordinates#primary}): the connector and the offset store both go there.
     */
    Properties properties(PostgresCoordinates.Host primary) {
        Properties p = new Properties();
        p.setProperty("name", properties.slotName());
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("topic.prefix", properties.slotName());
        // where the engine stores its position: the service's own database, so it survives redeploys
        // required by the engine's worker config, though offsets are not stored in Kafka
        p.setProperty("bootstrap.servers", kafkaBootstrapServers);
        p.setProperty("offset.storage", "io.debezium.storage.jdbc.offset.JdbcOffsetBackingStore");
        p.setProperty("offset.storage.jdbc.connection.url", database.jdbcUrl(primary));
        p.setProperty("offset.storage.jdbc.connection.user", database.username());
        p.setProperty("offset.storage.jdbc.connection.password", database.password());
        p.setProperty("offset.storage.jdbc.table.name", OFFSET_TABLE);
        p.setProperty(
                "offset.flush.interval.ms",
                Long.toString(properties.offsetFlushInterval().toMillis()));
        p.setProperty("offset.flush.timeout.ms", "10000");
        // a store that fails costs nothing (the next flush stores the position again), but the store's own retries
        // (5, 3 s apart) hold up the engine's stop when the primary is gone, and with it the failover
        p.setProperty("offset.storage.jdbc.connection.retry.max.attempts", "2");
        p.setProperty("offset.storage.jdbc.connection.wait.retry.delay.ms", "1000");
        // what to capture: inserts into the outbox (and the heartbeat table), through pgoutput
        p.setProperty("database.hostname", primary.name());
        p.setProperty("database.port", Integer.toString(primary.port()));
        p.setProperty("database.dbname", database.database());
        p.setProperty("database.user", database.username());
        p.setProperty("database.password", database.password());
        // the server ends the replication session of a leader whose node vanished within about 20 s (instead of
        // wal_sender_timeout's 60 s), freeing the slot for the next leader
        // The JDBC URL's parameters (sslmode, sslrootcert, ...) reach the connector's connections, the replication
        // one included, as driver properties; the dead-peer options come after any the URL gives. Not those that
        // choose among the URL's hosts: the relay has chosen the primary itself.
        Map<String, String> url = database.urlParameters();
        url.forEach((name, value) -> {
            if (!PostgresCoordinates.HOST_CHOICE_PARAMETERS.contains(name)) {
                p.setProperty("driver." + name, value);
            }
        });
        p.setProperty("driver.options", database.options());
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", properties.slotName());
        // a slot PostgreSQL 17 synchronises to standbys; Debezium creates a plain one on an older server or a standby
        p.setProperty("slot.failover", Boolean.toString(properties.failoverSlot()));
        p.setProperty("offset.mismatch.strategy", "no_validation");
        p.setProperty("publication.name", PUBLICATION);
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("table.include.list", "public.outbox,public.outbox_heartbeat");
        p.setProperty("skipped.operations", "u,d,t");
        p.setProperty("tombstones.on.delete", "false");
        // first start (no stored offset) or a position the slot no longer has: re-read what the outbox holds
        p.setProperty("snapshot.mode", "when_needed");
        // and re-read it in the order the rows were written, not in the order they happen to lie in the table, so
        // each key's events keep their order (rows carry their insert time; ctid breaks ties)
        p.setProperty("snapshot.select.statement.overrides", "public.outbox");
        p.setProperty(
                "snapshot.select.statement.overrides.public.outbox",
                "select * from public.outbox order by timestamp, ctid");
        p.setProperty(
                "heartbeat.interval.ms",
                Long.toString(properties.heartbeatInterval().toMillis()));
        p.setProperty("heartbeat.action.query", "insert into outbox_heartbeat default values");
        // latency: hand over batches as soon as changes arrive
        p.setProperty(
                "poll.interval.ms", Long.toString(properties.pollInterval().toMillis()));
        p.setProperty("max.batch.size", Integer.toString(properties.maxBatchSize()));
        p.setProperty("max.queue.size", Integer.toString(properties.maxBatchSize() * 4));
        p.setProperty("status.update.interval.ms", "1000");
        // failover: reconnect soon after losing the server, and retry a slot the dead leader's session still holds
        p.setProperty("retriable.restart.connector.wait.ms", "1000");
        p.setProperty("slot.retry.delay.ms", "2000");
        p.setProperty("slot.max.retries", "10");
        p.setProperty("decimal.handling.mode", "string");
        properties.debezium().forEach(p::setProperty);
        return p;
    }
}
