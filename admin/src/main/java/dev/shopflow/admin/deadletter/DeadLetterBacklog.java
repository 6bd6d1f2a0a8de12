package dev.shopflow.admin.deadletter;

import dev.shopflow.consumer.EventConsumerAutoConfiguration;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * How many dead letters of this service's consumer group wait for a re-drive, per source topic: the gauge
 * {@value #METER}{@code {group, topic}}.
 *
 * <p>Pending means what {@link DeadLetterRedrive} would re-drive now: the records of {@code <topic>.<group>.dlt}
 * after the offsets its group {@code <group>.redrive} committed (per partition, end offset minus that offset, or
 * minus the first offset Kafka still holds when nothing was re-driven yet or retention deleted past it). Offsets
 * count records because dead letters are written without transactions (no commit markers).
 *
 * <p>Read with an AdminClient on a thread of its own, at start and then every {@code interval}, each call bounded by
 * {@code timeout}; a scrape only reads the last result and never waits for Kafka. A topic that cannot be read (Kafka
 * unreachable, the topic missing) shows NaN until it can, with one WARN line when reading starts failing and one INFO
 * line when it works again.
 */
final class DeadLetterBacklog implements SmartLifecycle {

    static final String METER = "shopflow.dead.letters.pending";

    private static final Logger log = LoggerFactory.getLogger(DeadLetterBacklog.class);

    private final String group;
    private final Map<String, String> deadLetterTopics = new HashMap<>();
    private final Map<String, Object> adminConfig;
    private final Duration interval;
    private final Duration timeout;
    private final Map<String, Double> pending = new ConcurrentHashMap<>();
    private @Nullable String failing;
    private @Nullable ScheduledExecutorService scheduler;
    private @Nullable Admin admin;

    /**
     * @param group the service's consumer group
     * @param topics the source topics whose dead-letter topics ({@code <topic>.<group>.dlt}) are watched
     * @param adminConfig how to reach Kafka (the service's {@code KafkaAdmin} settings)
     * @param interval how often to read the offsets
     * @param timeout how long one reading may take
     */
    DeadLetterBacklog(
            String group,
            Collection<String> topics,
            Map<String, Object> adminConfig,
            MeterRegistry registry,
            Duration interval,
            Duration timeout) {
        this.group = group;
        this.adminConfig = new HashMap<>(adminConfig);
        this.adminConfig.put(AdminClientConfig.CLIENT_ID_CONFIG, group + "-dead-letter-metrics");
        this.adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        this.adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        this.interval = interval;
        this.timeout = timeout;
        for (String topic : topics) {
            deadLetterTopics.put(EventConsumerAutoConfiguration.deadLetterTopic(topic, group), topic);
            Gauge.builder(METER, pending, values -> values.getOrDefault(topic, Double.NaN))
                    .description(
                            "Dead letters of the consumer group not re-driven yet (POST /admin/dead-letters/redrive)"
                                    + "; NaN while Kafka cannot be asked")
                    .tag("group", group)
                    .tag("topic", topic)
                    .register(registry);
        }
    }

    /**
     * Pending dead letters of one dead-letter topic.
     *
     * @param starts the first offset Kafka holds, per partition
     * @param ends the end offset, per partition
     * @param redriven the offsets the re-drive group committed (partitions it never committed are missing or null)
     */
    static long pending(
            Map<TopicPartition, Long> starts,
            Map<TopicPartition, Long> ends,
            Map<TopicPartition, @Nullable OffsetAndMetadata> redriven) {
        long pending = 0;
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            long from = starts.getOrDefault(end.getKey(), 0L);
            OffsetAndMetadata committed = redriven.get(end.getKey());
            if (committed != null) {
                from = Math.max(from, committed.offset());
            }
            pending += Math.max(0, end.getValue() - from);
        }
        return pending;
    }

    /** Reads every dead-letter topic's backlog now and publishes it; NaN for those that could not be read. */
    synchronized void refresh() {
        Admin kafka = Objects.requireNonNull(admin, "not started");
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> errors = new HashMap<>();
        Map<String, List<TopicPartition>> partitions = new HashMap<>();
        kafka.describeTopics(deadLetterTopics.keySet()).topicNameValues().forEach((topic, description) -> {
            try {
                partitions.put(topic, partitions(await(description, deadline)));
            } catch (Exception e) {
                errors.put(topic, describe(e));
            }
        });
        if (!partitions.isEmpty()) {
            try {
                List<TopicPartition> all =
                        partitions.values().stream().flatMap(List::stream).toList();
                Map<TopicPartition, Long> starts = offsets(kafka, all, OffsetSpec.earliest(), deadline);
                Map<TopicPartition, Long> ends = offsets(kafka, all, OffsetSpec.latest(), deadline);
                Map<TopicPartition, OffsetAndMetadata> redriven = await(
                        kafka.listConsumerGroupOffsets(DeadLetterRedrive.redriveGroup(group))
                                .partitionsToOffsetAndMetadata(),
                        deadline);
                partitions.forEach((topic, parts) -> {
                    Map<TopicPartition, Long> topicEnds = new HashMap<>();
                    parts.forEach(partition -> topicEnds.put(partition, ends.get(partition)));
                    pending.put(deadLetterTopics.get(topic), (double) pending(starts, topicEnds, redriven));
                });
            } catch (Exception e) {
                partitions.keySet().forEach(topic -> errors.put(topic, describe(e)));
            }
        }
        errors.keySet().forEach(topic -> pending.put(deadLetterTopics.get(topic), Double.NaN));
        report(errors);
    }

    private static List<TopicPartition> partitions(TopicDescription description) {
        return description.partitions().stream()
                .map(partition -> new TopicPartition(description.name(), partition.partition()))
                .toList();
    }

    private static Map<TopicPartition, Long> offsets(
            Admin kafka, List<TopicPartition> partitions, OffsetSpec spec, long deadline) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(partition -> request.put(partition, spec));
        Map<TopicPartition, ListOffsetsResultInfo> answer =
                await(kafka.listOffsets(request).all(), deadline);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        answer.forEach((partition, info) -> offsets.put(partition, info.offset()));
        return offsets;
    }

    private static <T> T await(KafkaFuture<T> future, long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private String describe(Exception error) {
        if (error instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        if (error instanceof TimeoutException) {
            return "no answer within " + timeout;
        }
        Throwable cause = error instanceof ExecutionException && error.getCause() != null ? error.getCause() : error;
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private synchronized void report(Map<String, String> errors) {
        String now = errors.isEmpty() ? null : new TreeMap<>(errors).toString();
        if (now != null && !now.equals(failing)) {
            log.warn(
                    "Could not read the dead letters pending for group {} (gauge {} is NaN until it can): {}",
                    group,
                    METER,
                    now);
        } else if (now == null && failing != null) {
            log.info("Reading the dead letters pending for group {} works again", group);
        }
        failing = now;
    }

    private void refreshLogged() {
        try {
            refresh();
        } catch (RuntimeException e) {
            deadLetterTopics.values().forEach(topic -> pending.put(topic, Double.NaN));
            report(Map.of("all", describe(e)));
        }
    }

    @Override
    public synchronized void start() {
        admin = Admin.create(adminConfig);
        // a thread of its own, not the application's TaskScheduler (there may be none, and a reading, which may
        // take up to the timeout while Kafka is away, must not delay other scheduled work)
        scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("dead-letter-metrics").daemon().factory());
        scheduler.scheduleWithFixedDelay(this::refreshLogged, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(1));
            admin = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
