package dev.shopflow.consumer;

import dev.shopflow.retention.TableRetention;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The dedupe record in the service's database, and its retention; {@code shopflow.dedupe.enabled=false} for a
 * service that guards its effects another way (mail-service: its mail log), so its database has no
 * {@code processed_events}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSingleCandidate(DataSource.class)
@ConditionalOnBooleanProperty(name = "shopflow.dedupe.enabled", matchIfMissing = true)
class DedupeConfiguration {

    @Bean
    @DependsOnDatabaseInitialization
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "shopflow.dedupe.migrate-schema", matchIfMissing = true)
    ConsumerSchema consumerSchema(DataSource dataSource) {
        return ConsumerSchema.migrate(dataSource);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "shopflow.dedupe.migrate-schema", havingValue = false)
    ConsumerSchema consumerSchemaManagedElsewhere() {
        return ConsumerSchema.managedElsewhere();
    }

    @Bean
    @ConditionalOnMissingBean
    ProcessedEvents processedEvents(
            ConsumerSchema schema, DataSource dataSource, DedupeProperties dedupe, TopicsProperties topics) {
        topics.requireOutlivedBy(dedupe.retention(), "shopflow.dedupe.retention");
        return new ProcessedEvents(JdbcClient.create(dataSource));
    }

    @Bean
    DedupeWindow dedupeWindow(DedupeProperties dedupe) {
        return new DedupeWindow(dedupe.retention(), "shopflow.dedupe.retention");
    }

    @Bean
    TableRetention processedEventsRetention(
            ConsumerSchema schema,
            DataSource dataSource,
            DedupeProperties dedupe,
            ObjectProvider<MeterRegistry> registry) {
        return new TableRetention(
                dataSource,
                "processed_events",
                "processed_at",
                dedupe.retention(),
                registry.getIfAvailable(SimpleMeterRegistry::new));
    }
}
