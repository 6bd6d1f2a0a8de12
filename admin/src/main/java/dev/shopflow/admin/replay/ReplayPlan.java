package dev.shopflow.admin.replay;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a replay does, or did: per partition, the group's committed offset and where it moves.
 *
 * @param executed false for a dry run: nothing was changed
 * @param events how many events are re-read, in all partitions
 * @param effectsRedone with reprocess, how many effects are redone (e.g. mails sent again); null otherwise
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
        String outcome) {

    /**
     * @param currentOffset the group's committed offset; null if it never committed one here
     * @param targetOffset where the group resumes; never after the current offset (a replay never skips events)
     * @param events how many events between the two are read again
     */
    record PartitionMove(int partition, @Nullable Long currentOffset, long targetOffset, long events) {}
}
