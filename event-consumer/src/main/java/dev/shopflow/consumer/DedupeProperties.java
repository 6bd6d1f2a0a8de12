package dev.shopflow.consumer;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long the dedupe guard remembers an event ({@code shopflow.dedupe.*}).
 *
 * @param enabled whether this service keeps {@code processed_events} (default {@code true}); {@code false} for a
 *     service that dedupes another way (mail-service, with its mail log)
 * @param retention how long a {@code processed_events} row is kept. It must exceed the retention of every topic
 *     the service consumes: a replay can redeliver any event Kafka still holds, and an event whose record is gone
 *     would have its effect applied twice.
 */
@ConfigurationProperties("shopflow.dedupe")
public record DedupeProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("40d") Duration retention) {}
