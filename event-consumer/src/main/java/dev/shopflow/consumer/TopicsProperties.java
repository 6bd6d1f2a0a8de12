package dev.shopflow.consumer;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Topics a service creates at start-up if they do not exist ({@code shopflow.kafka.*}), so no topic is ever
 * auto-created with the broker's defaults.
 *
 * @param topics the topics the service publishes to and its dead-letter topics
 * @param partitions partitions of each; all events of one order share one (key = order id)
 * @param replicationFactor 3 in production, 1 on a single local broker
 */
@ConfigurationProperties("shopflow.kafka")
public record TopicsProperties(
        @DefaultValue List<String> topics,
        @DefaultValue("3") int partitions,
        @DefaultValue("1") short replicationFactor) {}
