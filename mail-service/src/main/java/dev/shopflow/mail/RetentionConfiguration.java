package dev.shopflow.mail;

import dev.shopflow.consumer.DedupeWindow;
import dev.shopflow.consumer.TopicsProperties;
import dev.shopflow.retention.TableRetention;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Trims the mail log after {@link MailProperties#logRetention()}, which must exceed the topics' retention: the mail
 * log is what stops a replayed event from mailing twice.
 */
@Configuration(proxyBeanMethods = false)
class RetentionConfiguration {

    /** The mail log is this group's dedupe record: a replay's dry run says when it reaches further back. */
    @Bean
    DedupeWindow mailLogWindow(MailProperties properties) {
        return new DedupeWindow(properties.logRetention(), "shopflow.mail.log-retention");
    }

    @Bean
    TableRetention mailLogRetention(
            DataSource dataSource, MailProperties properties, TopicsProperties topics, MeterRegistry registry) {
        topics.requireOutlivedBy(properties.logRetention(), "shopflow.mail.log-retention");
        return new TableRetention(dataSource, "mail_log", "created_at", properties.logRetention(), registry);
    }
}
