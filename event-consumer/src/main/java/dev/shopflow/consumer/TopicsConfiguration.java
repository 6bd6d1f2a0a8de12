package dev.shopflow.consumer;

import java.time.Duration;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

@Configuration(proxyBeanMethods = false)
class TopicsConfiguration {

    /**
     * The topics this service publishes to and its dead-letter topics, created with their partitions, retention and
     * (event topics) segment time; an existing topic gets the configured retention and segment time too (the
     * service's {@code KafkaAdmin} modifies topic configs that differ: {@code
     * spring.kafka.admin.modify-topic-configs=true} in each service).
     */
    @Bean
    KafkaAdmin.NewTopics shopflowTopics(TopicsProperties properties) {
        return new KafkaAdmin.NewTopics(properties.topics().stream()
                .map(name -> {
                    TopicBuilder topic = TopicBuilder.name(name)
                            .partitions(properties.partitions())
                            .replicas(properties.replicationFactor())
                            .config(
                                    TopicConfig.RETENTION_MS_CONFIG,
                                    Long.toString(properties.retentionOf(name).toMillis()));
                    Duration segment = properties.segmentOf(name);
                    if (segment != null) {
                        topic.config(TopicConfig.SEGMENT_MS_CONFIG, Long.toString(segment.toMillis()));
                    }
                    return topic.build();
                })
                .toArray(NewTopic[]::new));
    }
}
