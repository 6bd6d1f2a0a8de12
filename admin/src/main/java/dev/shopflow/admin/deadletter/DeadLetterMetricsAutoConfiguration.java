package dev.shopflow.admin.deadletter;

import dev.shopflow.consumer.EventConsumerAutoConfiguration;
import dev.shopflow.consumer.TopicsProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * The gauge of this service's pending dead letters ({@link DeadLetterBacklog}), for each dead-letter topic of its
 * group the service creates ({@code shopflow.kafka.topics} entries {@code <topic>.<group>.dlt}). Independent of the
 * admin API: dead letters pile up whether or not anyone may re-drive them.
 */
@AutoConfiguration(
        after = EventConsumerAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"
        })
@ConditionalOnProperty("spring.kafka.consumer.group-id")
@ConditionalOnBooleanProperty(name = "shopflow.dead-letters.metrics.enabled", matchIfMissing = true)
@ConditionalOnBean({MeterRegistry.class, KafkaAdmin.class, TopicsProperties.class})
@EnableConfigurationProperties(DeadLetterMetricsProperties.class)
public class DeadLetterMetricsAutoConfiguration {

    @Bean
    DeadLetterBacklog deadLetterBacklog(
            KafkaProperties kafka,
            KafkaAdmin admin,
            TopicsProperties topics,
            DeadLetterMetricsProperties properties,
            MeterRegistry registry) {
        String group = kafka.getConsumer().getGroupId();
        String suffix = EventConsumerAutoConfiguration.deadLetterTopic("", group);
        List<String> sources = topics.topics().stream()
                .filter(topic -> topic.endsWith(suffix) && topic.length() > suffix.length())
                .map(topic -> topic.substring(0, topic.length() - suffix.length()))
                .toList();
        return new DeadLetterBacklog(
                group,
                sources,
                admin.getConfigurationProperties(),
                registry,
                properties.refreshInterval(),
                properties.timeout());
    }
}
