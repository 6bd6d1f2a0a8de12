package dev.shopflow.consumer;

import java.time.Duration;
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
 * @param retention how long the event topics keep events: the replay window (a replay cannot reach further
 *     back). Must stay below {@code shopflow.dedupe.retention}, or a replay could redo an effect whose dedupe
 *     record is gone
 * @param deadLetterRetention how long dead-letter topics ({@code *.dlt}) keep events: long enough for a person to
 *     notice, fix and re-drive them
 */
@ConfigurationProperties("shopflow.kafka")
public record TopicsProperties(
        @DefaultValue List<String> topics,
        @DefaultValue("3") int partitions,
        @DefaultValue("1") short replicationFactor,
        @DefaultValue("35d") Duration retention,
        @DefaultValue("365d") Duration deadLetterRetention) {

    /**
     * Refuses a dedupe record kept no longer than the topics keep events: a replay could re-read an event whose
     * record is already deleted and redo its effect.
     *
     * @param property the setting that keeps the record, for the message
     */
    public void requireOutlivedBy(Duration recordKept, String property) {
        if (recordKept.compareTo(retention) <= 0) {
            throw new IllegalStateException(property + " (" + recordKept
                    + ") must exceed the topics' retention, shopflow.kafka.retention (" + retention
                    + "): a replay could re-read an event whose record is already deleted and redo its effect");
        }
    }

    /** The retention of one of the topics: dead-letter topics end in {@code .dlt}. */
    public Duration retentionOf(String topic) {
        return topic.endsWith(".dlt") ? deadLetterRetention : retention;
    }
}
