package dev.shopflow.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import dev.shopflow.outbox.OutboxAutoConfiguration;
import dev.shopflow.outbox.OutboxSchema;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.LifecycleProcessor;
import org.springframework.context.support.AbstractApplicationContext;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.ProducerFactory;

/**
 * Which relay beans a service gets. Nothing is started: the relay's leadership would connect to PostgreSQL at once,
 * and these tests look at what is wired, not at a running relay (that is {@link DebeziumRelayTests}).
 */
class RelayAutoConfigurationTests {

    private final DataSource dataSource = mock(DataSource.class);

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RelayAutoConfiguration.class))
            .withBean(
                    AbstractApplicationContext.LIFECYCLE_PROCESSOR_BEAN_NAME, LifecycleProcessor.class, NotStarted::new)
            .withBean(DataSource.class, () -> dataSource)
            .withBean(JdbcConnectionDetails.class, Database::new)
            .withBean(KafkaConnectionDetails.class, () -> () -> List.of("localhost:9092"))
            .withBean(ProducerFactory.class, () -> new DefaultKafkaProducerFactory<>(Map.of()));

    private final ApplicationContextRunner withOutbox =
            context.withBean(OutboxSchema.class, OutboxSchema::managedElsewhere);

    @Test
    void relaysTheOutboxWhereTheServiceNamesItsSlot() throws SQLException {
        withOutbox
                .withPropertyValues("shopflow.outbox.relay.slot-name=test_service")
                .run(app -> {
                    assertThat(app).hasNotFailed();
                    assertThat(app)
                            .hasSingleBean(DebeziumRelay.class)
                            .hasSingleBean(RelayLeadership.class)
                            .hasSingleBean(RelayHealthIndicator.class)
                            .hasSingleBean(RelayMetrics.class)
                            .hasSingleBean(SlotMonitor.class)
                            .hasSingleBean(OffsetCheck.class)
                            .hasSingleBean(ParkedEvents.class);
                    assertThat(app.getBean(RelayProperties.class).slotName()).isEqualTo("test_service");
                });
        verify(dataSource, never()).getConnection();
    }

    @Test
    void isOffWithoutASlotName() {
        withOutbox.run(app -> {
            assertThat(app).hasNotFailed();
            assertThat(app).doesNotHaveBean(DebeziumRelay.class).doesNotHaveBean(RelayLeadership.class);
        });
    }

    @Test
    void isOffWhereSwitchedOff() {
        withOutbox
                .withPropertyValues(
                        "shopflow.outbox.relay.slot-name=test_service", "shopflow.outbox.relay.enabled=false")
                .run(app -> {
                    assertThat(app).hasNotFailed();
                    assertThat(app).doesNotHaveBean(DebeziumRelay.class).doesNotHaveBean(RelayLeadership.class);
                });
    }

    @Test
    void isOffWithoutTheOutbox() {
        context.withPropertyValues("shopflow.outbox.relay.slot-name=test_service")
                .run(app -> {
                    assertThat(app).hasNotFailed();
                    assertThat(app).doesNotHaveBean(DebeziumRelay.class).doesNotHaveBean(RelayLeadership.class);
                });
    }

    @Test
    void followsTheOutboxAlsoWhenItsTablesAreManagedElsewhere() throws SQLException {
        context.withConfiguration(AutoConfigurations.of(OutboxAutoConfiguration.class))
                .withPropertyValues(
                        "shopflow.outbox.relay.slot-name=test_service", "shopflow.outbox.migrate-schema=false")
                .run(app -> {
                    assertThat(app).hasNotFailed();
                    assertThat(app).hasBean("outboxSchemaManagedElsewhere").hasSingleBean(DebeziumRelay.class);
                });
        verify(dataSource, never()).getConnection();
    }

    private static final class Database implements JdbcConnectionDetails {

        @Override
        public String getUsername() {
            return "test";
        }

        @Override
        public String getPassword() {
            return "test";
        }

        @Override
        public String getJdbcUrl() {
            return "jdbc:postgresql://localhost:5432/test";
        }
    }

    private static final class NotStarted implements LifecycleProcessor {

        @Override
        public void onRefresh() {}

        @Override
        public void onClose() {}

        @Override
        public void start() {}

        @Override
        public void stop() {}

        @Override
        public boolean isRunning() {
            return false;
        }
    }
}
