package dev.shopflow.mail;

import dev.shopflow.retention.TableRetention;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Trims the mail log after {@link MailProperties#logRetention()}. */
@Configuration(proxyBeanMethods = false)
class RetentionConfiguration {

    @Bean
    TableRetention mailLogRetention(DataSource dataSource, MailProperties properties, MeterRegistry registry) {
        return new TableRetention(dataSource, "mail_log", "created_at", properties.logRetention(), registry);
    }
}
