package dev.shopflow.consumer;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Topics a service creates at start-up if they do not exist ({@code shopflow.kafka.*}), so no topic is ever
 * auto-created with the broker's defaults.
 *
 * @param topics the topics the service publishes to and its dead-letter topics
 * @param partitions partitions of each; all events of one order share one (key = order id)
 * @param replicationFactor 3 in production, 1 on a single local broker
 * @param retention how long the event topics keep events at least: the replay window (a replay cannot reach
 *     further back). With {@code segment}, must stay below {@code shopflow.dedupe.retention}, or a replay could
 *     redo an effect whose dedupe record is gone
 * @param segment how long an event topic's log segment stays open ({@code segment.ms}). Kafka deletes whole
 *     segments, once the newest event in one is older than the retention, so an event can outlive the retention
 *     by up to this much (Kafka's default is 7 days; the topics get 1 day)
 * @param deadLetterRetention how long dead-letter topics ({@code *.dlt}) keep events: long enough for a person to
 *     notice, fix and re-drive them
 */
@ConfigurationProperties("shopflow.kafka")
public record TopicsProperties(
        @DefaultValue List<String> topics,
        @DefaultValue("3") int partitions,
        @DefaultValue("1") short replicationFactor,
        @DefaultValue("35d") Duration retention,
        @DefaultValue("1d") Duration segment,
        @DefaultValue("365d") Duration deadLetterRetention) {

    /** The longest an event can stay on an event topic: the retention plus one segment. */
    public Duration longestKept() {
        return retention.plus(segment);
    }

    /**
     * Refuses a dedupe record kept no longer than an event can stay on the topics ({@link #longestKept}): a replay
     * could re-read an event whose record is already deleted and redo its effect.
     *
     * @param property the setting that keeps the record, for the message
     */
    public void requireOutlivedBy(Duration recordKept, String property) {
        if (recordKept.compareTo(longestKept()) <= 0) {
            throw new IllegalStateException(property + " (" + recordKept
                    + ") must exceed the longest an event stays on the topics: shopflow.kafka.retention (" + retention
                    + ") plus shopflow.kafka.segment (" + segment + "), as Kafka deletes whole segments: a replay"
                    + " could re-read an event whose record is already deleted and redo its effect");
        }
    }

    /** The segment time of one of the topics: dead-letter topics keep Kafka's default. */
    public @Nullable Duration segmentOf(String topic) {
        return topic.endsWith(".dlt") ? null : segment;
    }

    /** The retention of one of the topics: dead-letter topics end in {@code .dlt}. */
    public Duration retentionOf(String topic) {
        return topic.endsWith(".dlt") ? deadLetterRetention : retention;
    }
}
