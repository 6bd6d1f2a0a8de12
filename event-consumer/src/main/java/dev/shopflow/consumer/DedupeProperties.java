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
 * @param migrateSchema whether {@code processed_events} is migrated at start-up ({@link ConsumerSchema}, default
 *     {@code true}); {@code false} assumes it and touches no database at start-up: for a schema a DBA owns, or a
 *     start with no database at all (the image build's class-data-sharing training run)
 */
@ConfigurationProperties("shopflow.dedupe")
public record DedupeProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("40d") Duration retention,
        @DefaultValue("true") boolean migrateSchema) {}
