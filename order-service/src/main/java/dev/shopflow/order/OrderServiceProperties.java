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
 * @param admission how many API requests are served at once, and what a refused client is told
 */
@ConfigurationProperties("shopflow.orders")
record OrderServiceProperties(
        DataSize maxRequestBytes,
        @DefaultValue("7d") Duration idempotencyKeyRetention,
        @DefaultValue("60s") Duration statusCountInterval,
        @DefaultValue Admission admission) {

    /**
     * @param maxConcurrent API requests ({@code /orders}) in progress at once; one more is answered 503 at once,
     *     before anything is parsed. Twice the database connection pool: enough to keep every connection busy while
     *     the next requests are read, not so many that requests queue for a connection
     * @param retryAfterLeast the shortest {@code Retry-After} of a 503
     * @param retryAfterMost the longest: each 503 draws its {@code Retry-After} between the two, so refused clients
     *     come back spread out
     */
    record Admission(
            @DefaultValue("20") int maxConcurrent,
            @DefaultValue("1s") Duration retryAfterLeast,
            @DefaultValue("4s") Duration retryAfterMost) {

        RetryAfter retryAfter() {
            return new RetryAfter(retryAfterLeast, retryAfterMost);
        }
    }
}
