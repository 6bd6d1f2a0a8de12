package dev.shopflow.admin.replay;

import java.util.List;

/**
 * How a service redoes the effects of events it has already processed, for a replay with {@code reprocess}. A
 * service without such a bean refuses to reprocess: its effects must happen once, and a replay only re-reads
 * events, skipping those already processed.
 */
public interface ReplayReprocessing {

    /** The effect that is redone, for people: "mails sent again". */
    String effect();

    /** How many effects a replay of these ranges would redo. */
    long count(String topic, List<OffsetRange> ranges);

    /**
     * Forgets that the events in these ranges were processed, so they are processed again when re-read. Runs in
     * the replay's database transaction, which commits only once the group's offsets are reset.
     *
     * @return how many effects will be redone
     */
    long forget(String topic, List<OffsetRange> ranges);

    /** Offsets {@code from} (inclusive) to {@code to} (exclusive) of one partition. */
    record OffsetRange(int partition, long from, long to) {}
}
