package dev.shopflow.admin.replay;

import static dev.shopflow.admin.replay.KafkaAnswers.await;

import dev.shopflow.admin.replay.ReplayPlan.PartitionMove;
import dev.shopflow.admin.replay.ReplayReprocessing.OffsetRange;
import dev.shopflow.consumer.DedupeWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.jspecify.annotations.Nullable;

/**
 * Plans a replay of one topic for this service's consumer group, changing nothing: where the group's offset moves
 * on each partition, how many events are read again and, with reprocess, how many effects are redone; and says it
 * in words, with what retention and the group's dedupe record take from it.
 */
class ReplayPlanner {

    private final String group;
    private final @Nullable ReplayReprocessing reprocessing;
    private final @Nullable DedupeWindow remembered;

    ReplayPlanner(String group, @Nullable ReplayReprocessing reprocessing, @Nullable DedupeWindow remembered) {
        this.group = group;
        this.reprocessing = reprocessing;
        this.remembered = remembered;
    }

    /** Whether this service can redo the effects of events it processed ({@code "reprocess": true}). */
    boolean reprocesses() {
        return reprocessing != null;
    }

    /** The plan of a dry run: what executing it now would do. */
    ReplayPlan dryRun(Admin admin, String topic, ReplayStart start, boolean reprocess) {
        return describe(moves(admin, topic, start), retention(admin, topic), topic, start, reprocess, false, null);
    }

    /** The answer of an executed replay: these moves were made, and {@code redone} effects will be redone. */
    ReplayPlan done(
            Admin admin,
            List<PartitionMove> moves,
            String topic,
            ReplayStart start,
            boolean reprocess,
            @Nullable Long redone) {
        return describe(moves, retention(admin, topic), topic, start, reprocess, true, redone);
    }

    /** Per partition, the group's committed offset and where a replay from {@code start} moves it. */
    List<PartitionMove> moves(Admin admin, String topic, ReplayStart start) {
        List<TopicPartition> partitions =
                await(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic).partitions().stream()
                        .map(info -> new TopicPartition(topic, info.partition()))
                        .toList();
        Map<TopicPartition, OffsetAndMetadata> committed =
                await(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
        Map<TopicPartition, ListOffsetsResultInfo> targets =
                await(admin.listOffsets(specs(partitions, start.offsetSpec())).all());
        List<TopicPartition> noEventSince = partitions.stream()
                .filter(partition -> targets.get(partition).offset() < 0)
                .toList();
        // no event at or after the timestamp: the target is the end of the partition
        Map<TopicPartition, ListOffsetsResultInfo> ends = noEventSince.isEmpty()
                ? Map.of()
                : await(admin.listOffsets(specs(noEventSince, OffsetSpec.latest()))
                        .all());
        // what retention left: the first offset still held, and the oldest event still held (its time)
        Map<TopicPartition, ListOffsetsResultInfo> logStarts = await(
                admin.listOffsets(specs(partitions, OffsetSpec.earliest())).all());
        Map<TopicPartition, ListOffsetsResultInfo> oldest = await(
                admin.listOffsets(specs(partitions, OffsetSpec.forTimestamp(0))).all());
        List<PartitionMove> moves = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata current = committed.get(partition);
            long target = ends.containsKey(partition)
                    ? ends.get(partition).offset()
                    : targets.get(partition).offset();
            long firstRetained = logStarts.get(partition).offset();
            ListOffsetsResultInfo oldestHeld = oldest.get(partition);
            Instant oldestAt = oldestHeld.offset() < 0 ? null : Instant.ofEpochMilli(oldestHeld.timestamp());
            Long from = current == null ? null : current.offset();
            long resume = current == null ? target : Math.min(target, current.offset());
            moves.add(new PartitionMove(
                    partition.partition(),
                    from,
                    resume,
                    current == null ? 0 : current.offset() - resume,
                    firstRetained,
                    oldestAt));
        }
        return moves;
    }

    private ReplayPlan describe(
            List<PartitionMove> moves,
            @Nullable String retention,
            String topic,
            ReplayStart start,
            boolean reprocess,
            boolean executed,
            @Nullable Long redone) {
        long events = moves.stream().mapToLong(PartitionMove::events).sum();
        Long effects = redone;
        if (reprocess && effects == null) {
            effects = requireReprocessing().count(topic, ranges(moves));
        }
        String what = events + " events of " + topic + " re-read by group " + group + " (from " + start + ")";
        String effect = reprocess
                ? "; " + effects + " " + requireReprocessing().effect() + ", other events skipped if already processed"
                : "; events already processed are skipped, events never processed are processed";
        String retained = retentionNote(moves, start, retention);
        String forgotten = forgottenNote(moves, start, remembered, Instant.now());
        String outcome =
                (executed ? "Done: " : "Dry run, nothing changed. Executing: ") + what + effect + retained + forgotten;
        return new ReplayPlan(
                group,
                topic,
                start.toString(),
                executed,
                reprocess,
                moves,
                events,
                effects,
                retention,
                !retained.isEmpty(),
                !forgotten.isEmpty(),
                outcome);
    }

    private ReplayReprocessing requireReprocessing() {
        if (reprocessing == null) {
            throw new IllegalStateException("no reprocessing");
        }
        return reprocessing;
    }

    /** The offsets each move reads again, on the partitions where the group had committed one. */
    static List<OffsetRange> ranges(List<PartitionMove> moves) {
        return moves.stream()
                .filter(move -> move.events() > 0 && move.currentOffset() != null)
                .map(move -> new OffsetRange(move.partition(), move.targetOffset(), move.currentOffset()))
                .toList();
    }

    /**
     * What retention took from this replay, in words, or "" when nothing: {@code from} is older than the topic keeps
     * events, or a partition lost events to retention and the oldest it still holds is younger than {@code from}.
     */
    static String retentionNote(List<PartitionMove> moves, ReplayStart start, @Nullable String retention) {
        List<PartitionMove> lost =
                moves.stream().filter(move -> move.lostBefore(start.at())).toList();
        Duration window = retention == null || retention.equals("unlimited") ? null : Duration.parse(retention);
        boolean olderThanRetention = window != null
                && start.at() != null
                && start.at().isBefore(Instant.now().minus(window));
        if (lost.isEmpty() && !olderThanRetention) {
            return "";
        }
        String oldest = moves.stream()
                .map(PartitionMove::firstRetainedAt)
                .filter(Objects::nonNull)
                .min(Comparator.naturalOrder())
                .map(at -> "the oldest event it still holds is from " + at)
                .orElse("it holds no events now");
        String kept = retention == null ? "a time Kafka did not say" : retention;
        String keeps = "the topic keeps events for " + kept;
        if (lost.isEmpty()) {
            return ". " + start + " is further back than the topic keeps events (" + kept + "): any event from"
                    + " before then is gone, and the replay starts at what is left (" + oldest + ")";
        }
        return ". Kafka no longer holds every event from " + start + ": " + keeps + ", and on partition(s) "
                + lost.stream().map(move -> String.valueOf(move.partition())).collect(Collectors.joining(", "))
                + " it has deleted events (" + oldest + "); events before it are gone and cannot be replayed";
    }

    /**
     * What the group's dedupe record no longer covers, in words, or "" when nothing: the replay reaches before what
     * the group remembers processing ({@code now - remembered}), on partitions holding events that old. Kafka can
     * keep an event longer than its retention (it deletes whole segments), so this looks at the events themselves.
     */
    static String forgottenNote(
            List<PartitionMove> moves, ReplayStart start, @Nullable DedupeWindow remembered, Instant now) {
        if (remembered == null) {
            return "";
        }
        Instant cutoff = now.minus(remembered.kept());
        if (start.at() != null && !start.at().isBefore(cutoff)) {
            return "";
        }
        List<PartitionMove> older = moves.stream()
                .filter(move -> move.events() > 0
                        && move.firstRetainedAt() != null
                        && move.firstRetainedAt().isBefore(cutoff))
                .toList();
        if (older.isEmpty()) {
            return "";
        }
        return ". Partition(s) "
                + older.stream().map(move -> String.valueOf(move.partition())).collect(Collectors.joining(", "))
                + " hold events older than the " + remembered.kept() + " this group remembers what it processed ("
                + remembered.property() + "): those are processed as if new, their effects done again; replay from"
                + " after " + cutoff + " to avoid it";
    }

    /** The topic's {@code retention.ms} as an ISO-8601 duration ("unlimited" for -1), or null if Kafka did not say. */
    private static @Nullable String retention(Admin admin, String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        ConfigEntry entry = await(admin.describeConfigs(List.of(resource)).all())
                .get(resource)
                .get(TopicConfig.RETENTION_MS_CONFIG);
        if (entry == null || entry.value() == null) {
            return null;
        }
        long millis = Long.parseLong(entry.value());
        return millis < 0 ? "unlimited" : Duration.ofMillis(millis).toString();
    }

    private static Map<TopicPartition, OffsetSpec> specs(List<TopicPartition> partitions, OffsetSpec spec) {
        return partitions.stream().collect(Collectors.toMap(Function.identity(), partition -> spec));
    }
}
