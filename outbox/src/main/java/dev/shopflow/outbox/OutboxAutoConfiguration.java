package dev.shopflow.outbox;

import dev.shopflow.events.EventJson;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Creates the outbox table (after the service's own Flyway migrations) and the {@link OutboxWriter}. */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"
        })
@ConditionalOnSingleCandidate(DataSource.class)
public class OutboxAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    EventJson eventJson() {
        return new EventJson();
    }

    @Bean
    OutboxWriter outboxWriter(DataSource dataSource, EventJson eventJson) {
        OutboxSchema.migrate(dataSource);
        return new OutboxWriter(JdbcClient.create(dataSource), eventJson);
    }
}
