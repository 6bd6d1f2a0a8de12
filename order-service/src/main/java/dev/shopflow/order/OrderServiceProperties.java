package dev.shopflow.order;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * @param maxRequestBytes requests with a larger body are refused with 413 before they are parsed
 * @param idempotencyKeyRetention how long an {@code Idempotency-Key} is remembered; a retry after that places a new
 *     order
 */
@ConfigurationProperties("shopflow.orders")
record OrderServiceProperties(
        DataSize maxRequestBytes, @DefaultValue("7d") Duration idempotencyKeyRetention) {}
