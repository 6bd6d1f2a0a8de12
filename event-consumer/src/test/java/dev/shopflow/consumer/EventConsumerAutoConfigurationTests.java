package dev.shopflow.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import dev.shopflow.events.EventJson;
import dev.shopflow.retention.TableRetention;
import dev.shopflow.testsupport.NoDatabase;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

class EventConsumerAutoConfigurationTests {

    private final DataSource noDatabase = NoDatabase.dataSource();

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EventConsumerAutoConfiguration.class))
            .withUserConfiguration(KafkaAndTransactions.class)
            .withPropertyValues("spring.kafka.consumer.group-id=test-service", "shopflow.kafka.topics=orders");

    private final ApplicationContextRunner withDatabase = context.withBean(DataSource.class, () -> noDatabase);

    @Test
    void givesEveryListenerDecodingBatchesDeadLettersAndTopics() {
        context.run(app -> {
            assertThat(app).hasNotFailed();
            assertThat(app)
                    .hasSingleBean(EventRecords.class)
                    .hasSingleBean(EventBatches.class)
                    .hasSingleBean(DefaultErrorHandler.class)
                    .hasSingleBean(KafkaAdmin.NewTopics.class);
        });
    }

    @Test
    void runsListenersOnPlatformThreadsWhereTheRestOfTheServiceRunsOnVirtualOnes() {
        new ApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(KafkaAutoConfiguration.class, EventConsumerAutoConfiguration.class))
                .withBean(PlatformTransactionManager.class, () -> mock(PlatformTransactionManager.class))
                .withPropertyValues(
                        "spring.threads.virtual.enabled=true",
                        "spring.kafka.consumer.group-id=test-service",
                        "spring.kafka.admin.auto-create=false",
                        "shopflow.kafka.topics=orders")
                .run(app -> {
                    assertThat(app).hasNotFailed();
                    AsyncTaskExecutor listenerThreads = app.getBean(ConcurrentKafkaListenerContainerFactory.class)
                            .createContainer("orders")
                            .getContainerProperties()
                            .getListenerTaskExecutor();
                    assertThat(listenerThreads).isNotNull();
                    Thread listenerThread = listenerThreads
                            .submitCompletable(Thread::currentThread)
                            .get();
                    assertThat(listenerThread.isVirtual()).isFalse();
                    assertThat(listenerThread.getName()).startsWith(EventHandlingConfiguration.LISTENER_THREAD_PREFIX);
                });
    }

    @Test
    void isOffInAServiceWithoutAConsumerGroup() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EventConsumerAutoConfiguration.class))
                .withUserConfiguration(KafkaAndTransactions.class)
                .withBean(DataSource.class, () -> noDatabase)
                .run(app -> {
                    assertThat(app).hasNotFailed();
                    assertThat(app)
                            .doesNotHaveBean(EventBatches.class)
                            .doesNotHaveBean(DefaultErrorHandler.class)
                            .doesNotHaveBean(ConsumerSchema.class);
                });
    }

    @Test
    void keepsNoDedupeRecordWithoutADataSource() {
        context.run(app -> assertThat(app)
                .doesNotHaveBean(ConsumerSchema.class)
                .doesNotHaveBean(ProcessedEvents.class)
                .doesNotHaveBean(TableRetention.class));
    }

    @Test
    void migratesTheDedupeTableAtStartUpByDefault() {
        withDatabase.run(app -> {
            assertThat(app).hasFailed();
            assertThat(app.getStartupFailure())
                    .hasMessageContaining("consumerSchema")
                    .hasRootCauseMessage("no database");
        });
    }

    @Test
    void leavesTheDedupeTableToSomeoneElseWhenMigrationIsOff() throws SQLException {
        withDatabase.withPropertyValues("shopflow.dedupe.migrate-schema=false").run(app -> {
            assertThat(app).hasNotFailed();
            assertThat(app).hasSingleBean(ConsumerSchema.class).hasBean("consumerSchemaManagedElsewhere");
            assertThat(app)
                    .hasSingleBean(ProcessedEvents.class)
                    .hasSingleBean(DedupeWindow.class)
                    .hasSingleBean(TableRetention.class);
        });
        verify(noDatabase, never()).getConnection();
    }

    @Test
    void keepsNoDedupeRecordWhereTheServiceGuardsItsEffectsAnotherWay() throws SQLException {
        withDatabase.withPropertyValues("shopflow.dedupe.enabled=false").run(app -> {
            assertThat(app).hasNotFailed();
            assertThat(app)
                    .doesNotHaveBean(ConsumerSchema.class)
                    .doesNotHaveBean(ProcessedEvents.class)
                    .doesNotHaveBean(TableRetention.class)
                    .hasSingleBean(EventBatches.class);
        });
        verify(noDatabase, never()).getConnection();
    }

    @Test
    void backsOffWhenTheApplicationDefinesItsOwnBeans() {
        EventRecords records = new EventRecords(new EventJson());
        EventBatches batches =
                new EventBatches(records, new TransactionTemplate(mock(PlatformTransactionManager.class)));
        DefaultErrorHandler errors = new DefaultErrorHandler();
        ConsumerSchema schema = ConsumerSchema.managedElsewhere();
        ProcessedEvents processed = mock(ProcessedEvents.class);
        withDatabase
                .withBean(EventRecords.class, () -> records)
                .withBean(EventBatches.class, () -> batches)
                .withBean(DefaultErrorHandler.class, () -> errors)
                .withBean(ConsumerSchema.class, () -> schema)
                .withBean(ProcessedEvents.class, () -> processed)
                .run(app -> {
                    assertThat(app).hasNotFailed();
                    assertThat(app.getBean(EventRecords.class)).isSameAs(records);
                    assertThat(app.getBean(EventBatches.class)).isSameAs(batches);
                    assertThat(app.getBean(DefaultErrorHandler.class)).isSameAs(errors);
                    assertThat(app.getBean(ConsumerSchema.class)).isSameAs(schema);
                    assertThat(app.getBean(ProcessedEvents.class)).isSameAs(processed);
                });
    }

    /** What a service's Kafka and JDBC auto-configurations would give it, without a broker or a database. */
    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(KafkaProperties.class)
    static class KafkaAndTransactions {

        @Bean
        KafkaOperations<?, ?> kafkaTemplate() {
            return mock(KafkaOperations.class);
        }

        @Bean
        PlatformTransactionManager transactionManager() {
            return mock(PlatformTransactionManager.class);
        }
    }
}
