package dev.shopflow.order;

import dev.shopflow.retention.TableRetention;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Forgets Idempotency-Keys after {@link OrderServiceProperties#idempotencyKeyRetention()}. */
@Configuration(proxyBeanMethods = false)
class RetentionConfiguration {

    @Bean
    TableRetention idempotencyKeyRetention(
            DataSource dataSource, OrderServiceProperties properties, MeterRegistry registry) {
        return new TableRetention(
                dataSource, "idempotency_keys", "created_at", properties.idempotencyKeyRetention(), registry);
    }
}
