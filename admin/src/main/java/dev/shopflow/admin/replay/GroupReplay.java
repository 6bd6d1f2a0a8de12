package dev.shopflow.admin.replay;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Replays one topic for this service's consumer group: checks the request, then has the {@link ReplayPlanner} plan
 * it (a dry run) or the {@link ReplayExecutor} execute it. Only this service's own group is ever read or changed.
 */
class GroupReplay {

    private final String group;
    private final Map<String, Object> adminConfig;
    private final KafkaListenerEndpointRegistry listeners;
    private final ReplayPlanner planner;
    private final ReplayExecutor executor;

    GroupReplay(
            String group,
            KafkaAdmin kafkaAdmin,
            KafkaListenerEndpointRegistry listeners,
            ReplayPlanner planner,
            ReplayExecutor executor) {
        this.group = group;
        this.adminConfig = kafkaAdmin.getConfigurationProperties();
        this.listeners = listeners;
        this.planner = planner;
        this.executor = executor;
    }

    ReplayPlan run(ReplayRequest request) {
        String topic = required("topic", request.topic());
        ReplayStart start = ReplayStart.parse(required("from", request.from()), Instant.now());
        requireConsumed(topic);
        if (request.reprocessing() && !planner.reprocesses()) {
            throw new ReplayRefusedException(group + " does not reprocess: its effects must happen exactly once."
                    + " A replay without \"reprocess\" re-reads the events and skips those already processed"
                    + " (it processes only events it never processed, such as dead-lettered ones).");
        }
        try (Admin admin = Admin.create(adminConfig)) {
            if (!request.executing()) {
                return planner.dryRun(admin, topic, start, request.reprocessing());
            }
            return executor.execute(admin, topic, start, request.reprocessing());
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

    static String required(String field, @Nullable String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidReplayException(field + ": required");
        }
        return value.strip();
    }
}
