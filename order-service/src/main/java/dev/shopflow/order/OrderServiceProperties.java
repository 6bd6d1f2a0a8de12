package dev.shopflow.order;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * @param maxRequestBytes requests with a larger body are refused with 413 before they are parsed
 * @param idempotencyKeyRetention how long an {@code Idempotency-Key} is remembered; a retry after that places a new
 *     order
 * @param statusCountInterval how often the orders are counted by status for the metrics {@code shopflow.orders}
 *     and {@code shopflow.orders.oldest.pending.age} (each count reads the whole table)
 */
@ConfigurationProperties("shopflow.orders")
record OrderServiceProperties(
        DataSize maxRequestBytes,
        @DefaultValue("7d") Duration idempotencyKeyRetention,
        @DefaultValue("60s") Duration statusCountInterval) {}
