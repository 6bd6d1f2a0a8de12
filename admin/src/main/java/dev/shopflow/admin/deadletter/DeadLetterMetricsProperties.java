package dev.shopflow.admin.deadletter;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The gauge of pending dead letters ({@code shopflow.dead-letters.metrics.*}).
 *
 * @param enabled publish {@code shopflow.dead.letters.pending{group,topic}}
 * @param refreshInterval how often Kafka is asked for the dead-letter topics' offsets; a scrape reads the last answer
 * @param timeout how long one reading may take before the gauge shows NaN
 */
@ConfigurationProperties("shopflow.dead-letters.metrics")
record DeadLetterMetricsProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("30s") Duration refreshInterval,
        @DefaultValue("10s") Duration timeout) {}
