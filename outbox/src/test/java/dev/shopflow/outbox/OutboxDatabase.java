package dev.shopflow.outbox;

import dev.shopflow.testsupport.Containers;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A real PostgreSQL with the outbox schema migrated, for one test class (this module's, and the relay's through the test jar): {@code @RegisterExtension
 * static final OutboxDatabase database = new OutboxDatabase();} starts it before the class and stops it after.
 */
public final class OutboxDatabase implements BeforeAllCallback, AfterAllCallback {

    public final PostgreSQLContainer postgres = Containers.postgres();
    public SimpleDriverDataSource dataSource;
    public JdbcClient jdbc;

    @Override
    public void beforeAll(ExtensionContext context) {
        postgres.start();
        dataSource = new SimpleDriverDataSource(
                new org.postgresql.Driver(), postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword());
        OutboxSchema.migrate(dataSource);
        jdbc = JdbcClient.create(dataSource);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        postgres.stop();
    }
}
