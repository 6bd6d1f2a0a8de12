package dev.shopflow.admin.replay;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a replay does, or did: per partition, the group's committed offset and where it moves.
 *
 * @param executed false for a dry run: nothing was changed
 * @param events how many events are re-read, in all partitions
 * @param effectsRedone with reprocess, how many effects are redone (e.g. mails sent again); null otherwise
 * @param retention how long the topic keeps events ({@code retention.ms} as an ISO-8601 duration, {@code
 *     "unlimited"}), or null if Kafka did not say
 * @param olderThanRetained true when {@code from} is older than the topic's retention, or reaches before the oldest
 *     event Kafka still holds on a partition that lost events to retention: those events are gone, and the replay
 *     starts at the oldest one left
 * @param olderThanRemembered true when the replay may read events older than the group remembers processing ({@link
 *     dev.shopflow.consumer.DedupeWindow}): those are processed as if new, their effects done again
 * @param outcome the same, in words
 */
record ReplayPlan(
        String group,
        String topic,
        String from,
        boolean executed,
        boolean reprocess,
        List<PartitionMove> partitions,
        long events,
        @Nullable Long effectsRedone,
        @Nullable String retention,
        boolean olderThanRetained,
        boolean olderThanRemembered,
        String outcome) {

    /**
     * @param currentOffset the group's committed offset; null if it never committed one here
     * @param targetOffset where the group resumes; never after the current offset (a replay never skips events)
     * @param events how many events between the two are read again
     * @param firstRetainedOffset the partition's first offset Kafka still holds (above 0: earlier ones were deleted
     *     by retention)
     * @param firstRetainedAt the time of the oldest event Kafka still holds there; null if it holds none
     */
    record PartitionMove(
            int partition,
            @Nullable Long currentOffset,
            long targetOffset,
            long events,
            long firstRetainedOffset,
            @Nullable Instant firstRetainedAt) {

        /**
         * True when retention deleted events here that the replay would otherwise read: the partition lost events,
         * and the oldest it still holds is younger than {@code from} (null: the earliest, always).
         */
        boolean lostBefore(@Nullable Instant from) {
            return firstRetainedOffset > 0
                    && firstRetainedAt != null
                    && (from == null || firstRetainedAt.isAfter(from));
        }
    }
}
