package dev.shopflow.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import dev.shopflow.events.EventJson;
import dev.shopflow.testsupport.NoDatabase;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class OutboxAutoConfigurationTests {

    private final DataSource noDatabase = NoDatabase.dataSource();

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(OutboxAutoConfiguration.class))
            .withBean(DataSource.class, () -> noDatabase);

    @Test
    void migratesTheOutboxTablesAtStartUpByDefault() {
        context.run(app -> {
            assertThat(app).hasFailed();
            assertThat(app.getStartupFailure())
                    .hasMessageContaining("outboxSchema")
                    .hasRootCauseMessage("no database");
        });
    }

    @Test
    void leavesTheTablesToSomeoneElseWhenMigrationIsOff() throws SQLException {
        context.withPropertyValues("shopflow.outbox.migrate-schema=false").run(app -> {
            assertThat(app).hasNotFailed();
            assertThat(app).hasSingleBean(OutboxSchema.class).hasBean("outboxSchemaManagedElsewhere");
            assertThat(app).hasSingleBean(OutboxWriter.class);
        });
        verify(noDatabase, never()).getConnection();
    }

    @Test
    void isOffWithoutADataSource() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(OutboxAutoConfiguration.class))
                .run(app -> {
                    assertThat(app).hasNotFailed();
                    assertThat(app).doesNotHaveBean(OutboxSchema.class).doesNotHaveBean(OutboxWriter.class);
                });
    }

    @Test
    void isOffWithTwoDataSourcesAndNoPrimary() {
        context.withBean("another", DataSource.class, NoDatabase::dataSource)
                .run(app -> assertThat(app).doesNotHaveBean(OutboxWriter.class));
    }

    @Test
    void backsOffWhenTheApplicationDefinesItsOwnBeans() {
        OutboxSchema schema = OutboxSchema.managedElsewhere();
        OutboxWriter writer = mock(OutboxWriter.class);
        EventJson json = new EventJson();
        context.withBean(OutboxSchema.class, () -> schema)
                .withBean(OutboxWriter.class, () -> writer)
                .withBean(EventJson.class, () -> json)
                .run(app -> {
                    assertThat(app).hasNotFailed();
                    assertThat(app.getBean(OutboxSchema.class)).isSameAs(schema);
                    assertThat(app.getBean(OutboxWriter.class)).isSameAs(writer);
                    assertThat(app.getBean(EventJson.class)).isSameAs(json);
                });
    }
}
