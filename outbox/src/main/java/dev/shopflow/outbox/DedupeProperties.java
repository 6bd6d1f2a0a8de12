package dev.shopflow.outbox;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long the dedupe guard remembers an event ({@code shopflow.dedupe.*}).
 *
 * @param retention how long a {@code processed_events} row is kept. It must exceed the retention of every topic
 *     the service consumes: a replay can redeliver any event Kafka still holds, and an event whose record is gone
 *     would have its effect applied twice.
 */
@ConfigurationProperties("shopflow.dedupe")
public record DedupeProperties(@DefaultValue("40d") Duration retention) {}
