package dev.shopflow.admin.replay;

import dev.shopflow.admin.replay.ReplayPlan.PartitionMove;
import dev.shopflow.admin.replay.ReplayReprocessing.OffsetRange;
import dev.shopflow.consumer.DedupeWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.transaction.support.TransactionOperations;

/**
 * Replays one topic for this service's consumer group: plans the offset moves, and on execute pauses this
 * instance's listeners (they leave the group), refuses if other instances are still in it, resets the group's
 * offsets, and starts the listeners again. Only this service's own group is ever read or changed.
 */
class GroupReplay {

    private static final Logger log = LoggerFactory.getLogger(GroupReplay.class);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(10);

    private final String group;
    private final Map<String, Object> adminConfig;
    private final KafkaListenerEndpointRegistry listeners;
    private final @Nullable ReplayReprocessing reprocessing;
    private final @Nullable DedupeWindow remembered;
    private final TransactionOperations transactions;
    private final Lock executing = new ReentrantLock();

    GroupReplay(
            String group,
            KafkaAdmin kafkaAdmin,
            KafkaListenerEndpointRegistry listeners,
            @Nullable ReplayReprocessing reprocessing,
            @Nullable DedupeWindow remembered,
            TransactionOperations transactions) {
        this.group = group;
        this.remembered = remembered;
        this.adminConfig = kafkaAdmin.getConfigurationProperties();
        this.listeners = listeners;
        this.reprocessing = reprocessing;
        this.transactions = transactions;
    }

    ReplayPlan run(ReplayRequest request) {
        String topic = required("topic", request.topic());
        ReplayStart start = ReplayStart.parse(required("from", request.from()), Instant.now());
        requireConsumed(topic);
        if (request.reprocessing() && reprocessing == null) {
            throw new ReplayRefusedException(group + " does not reprocess: its effects must happen exactly once."
                    + " A replay without \"reprocess\" re-reads the events and skips those already processed"
                    + " (it processes only events it never processed, such as dead-lettered ones).");
        }
        try (Admin admin = Admin.create(adminConfig)) {
            if (!request.executing()) {
                return describe(
                        plan(admin, topic, start),
                        retention(admin, topic),
                        topic,
                        start,
                        request.reprocessing(),
                        false,
                        null);
            }
            if (!executing.tryLock()) {
                throw new ReplayRefusedException(
                        "Another replay of " + group + " is running on this instance; retry when it has finished");
            }
            List<MessageListenerContainer> paused = new ArrayList<>();
            try {
                pauseListeners(paused);
                awaitNoOtherMembers(admin);
                List<PartitionMove> moves = plan(admin, topic, start);
                Long redone = transactions.execute(status -> reset(admin, topic, moves, request.reprocessing()));
                ReplayPlan done =
                        describe(moves, retention(admin, topic), topic, start, request.reprocessing(), true, redone);
                log.warn("Replay executed: {}", done.outcome());
                return done;
            } finally {
                paused.forEach(MessageListenerContainer::start);
                executing.unlock();
            }
        }
    }

    private List<PartitionMove> plan(Admin admin, String topic, ReplayStart start) {
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

    private @Nullable Long reset(Admin admin, String topic, List<PartitionMove> moves, boolean reprocess) {
        List<OffsetRange> ranges = ranges(moves);
        Long redone = reprocess ? requireReprocessing().forget(topic, ranges) : null;
        Map<TopicPartition, OffsetAndMetadata> offsets = moves.stream()
                .filter(move -> move.events() > 0)
                .collect(Collectors.toMap(
                        move -> new TopicPartition(topic, move.partition()),
                        move -> new OffsetAndMetadata(move.targetOffset(), "replay from shopflow admin")));
        if (!offsets.isEmpty()) {
            await(admin.alterConsumerGroupOffsets(group, offsets).all());
        }
        return redone;
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

    /** Stops this instance's listeners of the group, adding each to {@code paused}; stopping makes them leave it. */
    private void pauseListeners(List<MessageListenerContainer> paused) {
        for (MessageListenerContainer container : listeners.getListenerContainers()) {
            if (group.equals(container.getGroupId()) && container.isRunning()) {
                container.stop();
                paused.add(container);
            }
        }
    }

    private void awaitNoOtherMembers(Admin admin) {
        long deadline = System.nanoTime() + LEAVE_TIMEOUT.toNanos();
        while (true) {
            Collection<MemberDescription> members = await(admin.describeConsumerGroups(List.of(group))
                            .describedGroups()
                            .get(group))
                    .members();
            if (members.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new ReplayRefusedException("Group " + group + " still has " + members.size()
                        + " live member(s) after this instance paused its own: "
                        + members.stream()
                                .map(member -> member.clientId() + "@" + member.host())
                                .collect(Collectors.joining(", "))
                        + ". Offsets can only be reset while no instance consumes: scale " + group
                        + " to this one instance (or stop all and use kafka-consumer-groups.sh), then retry.");
            }
            pauseBriefly();
        }
    }

    /** Refuses topics this service does not consume: their groups belong to other services. */
    void requireConsumed(String topic) {
        Set<String> consumed = consumedTopics();
        if (!consumed.contains(topic)) {
            throw new InvalidReplayException("topic: " + group + " consumes " + consumed + ", not \"" + topic
                    + "\"; use the service that consumes it");
        }
    }

    private Set<String> consumedTopics() {
        Set<String> topics = new TreeSet<>();
        for (MessageListenerContainer container : listeners.getListenerContainers()) {
            String[] names = container.getContainerProperties().getTopics();
            if (group.equals(container.getGroupId()) && names != null) {
                topics.addAll(List.of(names));
            }
        }
        return topics;
    }

    private ReplayReprocessing requireReprocessing() {
        if (reprocessing == null) {
            throw new IllegalStateException("no reprocessing");
        }
        return reprocessing;
    }

    private static List<OffsetRange> ranges(List<PartitionMove> moves) {
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

    static String required(String field, @Nullable String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidReplayException(field + ": required");
        }
        return value.strip();
    }

    private static <T> T await(KafkaFuture<T> future) {
        try {
            return future.get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while talking to Kafka", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + KAFKA_TIMEOUT, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupNotEmptyException || e.getCause() instanceof UnknownMemberIdException) {
                throw new ReplayRefusedException("Kafka refused to reset group offsets: the group has live members ("
                        + e.getCause().getMessage() + "); retry once only this instance runs");
            }
            throw new IllegalStateException("Kafka failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static void pauseBriefly() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the group to empty", e);
        }
    }
}
