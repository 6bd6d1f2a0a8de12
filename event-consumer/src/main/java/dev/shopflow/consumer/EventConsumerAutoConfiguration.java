package dev.shopflow.consumer;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * What every shopflow consumer gets, in a service with {@code spring.kafka.consumer.group-id}: its topics created
 * ({@link TopicsConfiguration}), records decoded and handled a batch at a time on platform listener threads
 * ({@link EventHandlingConfiguration}), the dedupe record ({@link DedupeConfiguration}), and failing records
 * retried in place or dead-lettered ({@link FailedEventsConfiguration}).
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration"
        })
@ConditionalOnProperty("spring.kafka.consumer.group-id")
@EnableConfigurationProperties({TopicsProperties.class, RetryProperties.class, DedupeProperties.class})
@Import({
    TopicsConfiguration.class,
    EventHandlingConfiguration.class,
    DedupeConfiguration.class,
    FailedEventsConfiguration.class
})
public class EventConsumerAutoConfiguration {

    /** The dead-letter topic of a source topic for this service's consumer group. */
    public static String deadLetterTopic(String topic, String group) {
        return topic + "." + group + ".dlt";
    }
}
