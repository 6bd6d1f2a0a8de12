package dev.shopflow.outbox;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The outbox's tables ({@code outbox}, the relay's heartbeat, offsets and parked events, the publication),
 * migrated with the library's own Flyway history ({@code outbox_schema_history}), so the library's migrations never
 * collide with the version numbers of the service that embeds it. Created after the service's own migrations;
 * beans that use the outbox tables (the writer, the relay) depend on it. With
 * {@code shopflow.outbox.migrate-schema=false} the tables are someone else's to create (a DBA's migration, or none
 * at all: the image build's class-data training run has no database) and the library only assumes them.
 */
public final class OutboxSchema {

    static final String HISTORY_TABLE = "outbox_schema_history";

    private OutboxSchema() {}

    public static OutboxSchema migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/outbox")
                .table(HISTORY_TABLE)
                .baselineOnMigrate(true)
                .baselineVersion("0")
                // V3 (processed_events) moved to the event-consumer module's own history; databases migrated
                // before that still list it here
                .ignoreMigrationPatterns("*:missing")
                .load()
                .migrate();
        return new OutboxSchema();
    }

    /** The tables as created by someone else: nothing is checked or changed until a bean uses them. */
    public static OutboxSchema managedElsewhere() {
        return new OutboxSchema();
    }
}
