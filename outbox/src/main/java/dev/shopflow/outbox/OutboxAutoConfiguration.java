package dev.shopflow.outbox;

import dev.shopflow.events.EventJson;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/** The outbox's tables ({@link OutboxSchema}) and the {@link OutboxWriter} that appends to them. */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"
        })
@ConditionalOnSingleCandidate(DataSource.class)
@EnableConfigurationProperties(OutboxProperties.class)
public class OutboxAutoConfiguration {

    @Bean
    @DependsOnDatabaseInitialization
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "shopflow.outbox.migrate-schema", matchIfMissing = true)
    OutboxSchema outboxSchema(DataSource dataSource) {
        return OutboxSchema.migrate(dataSource);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "shopflow.outbox.migrate-schema", havingValue = false)
    OutboxSchema outboxSchemaManagedElsewhere() {
        return OutboxSchema.managedElsewhere();
    }

    @Bean
    @ConditionalOnMissingBean
    EventJson eventJson() {
        return new EventJson();
    }

    @Bean
    @ConditionalOnMissingBean
    OutboxWriter outboxWriter(
            OutboxSchema schema,
            DataSource dataSource,
            EventJson eventJson,
            ObjectProvider<EventTraceContext> traces,
            ObjectProvider<Tracer> tracer,
            ObjectProvider<Propagator> propagator) {
        List<EventTraceContext> all = new ArrayList<>(traces.orderedStream().toList());
        all.add(new CurrentSpan(
                tracer.getIfAvailable(() -> Tracer.NOOP), propagator.getIfAvailable(() -> Propagator.NOOP)));
        return new OutboxWriter(new NamedParameterJdbcTemplate(dataSource), eventJson, all);
    }
}
