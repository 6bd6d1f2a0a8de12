package dev.shopflow.admin.replay;

import static dev.shopflow.admin.replay.KafkaAnswers.await;

import dev.shopflow.admin.replay.ReplayPlan.PartitionMove;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.transaction.support.TransactionOperations;

/**
 * Executes a replay, one at a time on this instance: stops this instance's listener containers of the group (they
 * leave it), refuses if other instances are still in it, resets the group's offsets where the {@link ReplayPlanner}
 * moves them (with reprocess, in the same database transaction as forgetting what was processed), and starts the
 * containers again.
 */
class ReplayExecutor {

    private static final Logger log = LoggerFactory.getLogger(ReplayExecutor.class);
    private static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(10);

    private final String group;
    private final KafkaListenerEndpointRegistry listeners;
    private final ReplayPlanner planner;
    private final @Nullable ReplayReprocessing reprocessing;
    private final TransactionOperations transactions;
    private final Lock executing = new ReentrantLock();

    ReplayExecutor(
            String group,
            KafkaListenerEndpointRegistry listeners,
            ReplayPlanner planner,
            @Nullable ReplayReprocessing reprocessing,
            TransactionOperations transactions) {
        this.group = group;
        this.listeners = listeners;
        this.planner = planner;
        this.reprocessing = reprocessing;
        this.transactions = transactions;
    }

    ReplayPlan execute(Admin admin, String topic, ReplayStart start, boolean reprocess) {
        if (!executing.tryLock()) {
            throw new ReplayRefusedException(
                    "Another replay of " + group + " is running on this instance; retry when it has finished");
        }
        List<MessageListenerContainer> paused = new ArrayList<>();
        try {
            pauseListeners(paused);
            awaitNoOtherMembers(admin);
            List<PartitionMove> moves = planner.moves(admin, topic, start);
            Long redone = transactions.execute(status -> reset(admin, topic, moves, reprocess));
            ReplayPlan done = planner.done(admin, moves, topic, start, reprocess, redone);
            log.warn("Replay executed: {}", done.outcome());
            return done;
        } finally {
            paused.forEach(MessageListenerContainer::start);
            executing.unlock();
        }
    }

    private @Nullable Long reset(Admin admin, String topic, List<PartitionMove> moves, boolean reprocess) {
        Long redone = reprocess ? requireReprocessing().forget(topic, ReplayPlanner.ranges(moves)) : null;
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

    /** Stops this instance's listeners of the group, adding each to {@code paused}; stopping makes them leave it. */
    private void pauseListeners(List<MessageListenerContainer> paused) {
        for (MessageListenerContainer container : listeners.getListenerContainers()) {
            if (group.equals(container.getGroupId()) && container.isRunning()) {
                container.stop();
                paused.add(container);
            }
        }
    }

    /**
     * Waits up to {@link #LEAVE_TIMEOUT}, asking Kafka every 200 ms, for the group to have no members left. A
     * deadline on the clock, Kafka's answering time included, rather than Spring's {@code FixedBackOff}, which
     * counts attempts (or, as {@code ExponentialBackOff}, only the time slept).
     */
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

    private ReplayReprocessing requireReprocessing() {
        if (reprocessing == null) {
            throw new IllegalStateException("no reprocessing");
        }
        return reprocessing;
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
