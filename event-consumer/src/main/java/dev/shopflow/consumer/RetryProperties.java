package dev.shopflow.consumer;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a consumer retries a failing record in place ({@code shopflow.kafka.retry.*}).
 *
 * @param attempts retries of a failure that is neither transient nor poison before the record is dead-lettered;
 *     a transient failure is retried for as long as it lasts
 * @param initialInterval the first wait; each next one doubles
 * @param maxInterval the longest wait between two attempts
 */
@ConfigurationProperties("shopflow.kafka.retry")
public record RetryProperties(
        @DefaultValue("10") int attempts,
        @DefaultValue("500ms") Duration initialInterval,
        @DefaultValue("30s") Duration maxInterval) {}
