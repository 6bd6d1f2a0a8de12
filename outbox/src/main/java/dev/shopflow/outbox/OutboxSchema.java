package dev.shopflow.outbox;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The outbox's tables, migrated with the library's own Flyway history ({@code outbox_schema_history}), so the
 * library's migrations never collide with the version numbers of the service that embeds it. Created after the
 * service's own migrations; beans that use the outbox tables depend on it.
 */
final class OutboxSchema {

    static final String HISTORY_TABLE = "outbox_schema_history";

    private OutboxSchema() {}

    static OutboxSchema migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/outbox")
                .table(HISTORY_TABLE)
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load()
                .migrate();
        return new OutboxSchema();
    }
}
