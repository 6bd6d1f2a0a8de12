package dev.shopflow.consumer;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The consumer side's table ({@code processed_events}, the dedupe record), migrated with this library's own
 * Flyway history ({@code consumer_schema_history}), apart from the service's migrations and the outbox's. Created
 * after the service's own migrations; {@link ProcessedEvents} depends on it. With
 * {@code shopflow.dedupe.migrate-schema=false} the table is someone else's to create (as for the outbox's schema).
 */
public final class ConsumerSchema {

    static final String HISTORY_TABLE = "consumer_schema_history";

    private ConsumerSchema() {}

    public static ConsumerSchema migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/consumer")
                .table(HISTORY_TABLE)
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load()
                .migrate();
        return new ConsumerSchema();
    }

    /** The table as created by someone else: nothing is checked or changed until a bean uses it. */
    public static ConsumerSchema managedElsewhere() {
        return new ConsumerSchema();
    }
}
