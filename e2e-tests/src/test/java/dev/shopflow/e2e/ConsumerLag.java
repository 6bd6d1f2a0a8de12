package dev.shopflow.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The consumer lag of the three services' groups, sampled every 2 s in the background with one AdminClient (the
 * committed offsets and the partition ends, the way {@code kafka-consumer-groups.sh --describe} computes it), so that
 * the benchmark can tell afterwards how lag moved during a step without loading the machine it measures.
 */
final class ConsumerLag implements AutoCloseable {

    /** Each service's consumer group and the topic it reads. */
    static final Map<String, String> GROUPS = groups();

    static final Duration INTERVAL = Duration.ofSeconds(2);

    /** How long the benchmark waits, at most, for the pipeline to be quiet before a step or phase. */
    static final Duration QUIET_LIMIT = Duration.ofMinutes(3);

    private static final List<String> DEAD_LETTER_TOPICS =
            List.of("orders.stock-service.dlt", "orders.mail-service.dlt", "stock.order-service.dlt");

    private final Admin admin;
    private final Map<String, List<TopicPartition>> partitions = new HashMap<>();
    private final List<Sample> samples = new ArrayList<>();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("lag-sampler").factory());
    private volatile String lastError = "";

    /**
     * One look at every group: its lag and committed offsets summed over the topic's partitions, and the end offset
     * summed likewise (a group that never committed counts from offset 0).
     */
    record Sample(long nanos, Map<String, Long> lag, Map<String, Long> committed, Map<String, Long> ends) {

        long totalLag() {
            return lag.values().stream().mapToLong(Long::longValue).sum();
        }

        /** "lag stock-service 120, order-service 0, mail-service 118". */
        String describeLag() {
            StringBuilder lags = new StringBuilder();
            lag.forEach((group, groupLag) -> lags.append(lags.isEmpty() ? "" : ", ")
                    .append(group)
                    .append(' ')
                    .append(groupLag));
            return "lag " + lags;
        }
    }

    ConsumerLag(String bootstrapServers) {
        admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG,
                "pipeline-benchmark",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                10_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000));
    }

    /** Looks up the topics' partitions and starts sampling. */
    void start() throws Exception {
        lookUpTopics();
        sampler.scheduleAtFixedRate(this::record, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Looks up the topics' partitions, without sampling: enough for {@link #endOffset} and {@link #deadLetters}. */
    void lookUpTopics() throws Exception {
        List<String> topics =
                new ArrayList<>(GROUPS.values().stream().distinct().toList());
        topics.addAll(DEAD_LETTER_TOPICS);
        admin.describeTopics(topics)
                .allTopicNames()
                .get(1, TimeUnit.MINUTES)
                .forEach((topic, description) -> partitions.put(
                        topic,
                        IntStream.range(0, description.partitions().size())
                                .mapToObj(p -> new TopicPartition(topic, p))
                                .toList()));
    }

    /** Takes a sample now (besides the regular ones) and keeps it. */
    Sample sampleNow() throws Exception {
        Sample sample = sample();
        synchronized (samples) {
            samples.add(sample);
        }
        return sample;
    }

    /** The samples taken from {@code fromNanos} to {@code toNanos} (System.nanoTime), in order. */
    List<Sample> between(long fromNanos, long toNanos) {
        synchronized (samples) {
            return samples.stream()
                    .filter(s -> s.nanos() >= fromNanos && s.nanos() <= toNanos)
                    .sorted((a, b) -> Long.compare(a.nanos(), b.nanos()))
                    .toList();
        }
    }

    Optional<Sample> latest() {
        synchronized (samples) {
            return samples.stream().max((a, b) -> Long.compare(a.nanos(), b.nanos()));
        }
    }

    /**
     * Waits until the pipeline is quiet: two regular samples in a row with no lag in any group and no partition end
     * moved in between. Lag 0 alone is not enough: the next hop's event may not have been relayed yet.
     *
     * @return the first sample of the quiet pair, or empty if the pipeline was not quiet within {@code timeout}
     */
    Optional<Sample> awaitQuiet(Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<Sample> recent = between(start, Long.MAX_VALUE);
            for (int i = 1; i < recent.size(); i++) {
                Sample before = recent.get(i - 1);
                Sample after = recent.get(i);
                if (before.totalLag() == 0
                        && after.totalLag() == 0
                        && before.ends().equals(after.ends())
                        && after.nanos() - before.nanos() >= INTERVAL.toNanos() / 2) {
                    return Optional.of(before);
                }
            }
            Thread.sleep(INTERVAL.toMillis() / 2);
        }
        return Optional.empty();
    }

    /** The sum of the end offsets of one of the groups' topics ({@code orders}, {@code stock}), now. */
    long endOffset(String topic) throws Exception {
        return ends(partitions.get(topic)).values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }

    /** Records on the dead-letter topics, all together. */
    long deadLetters() throws Exception {
        List<TopicPartition> all = DEAD_LETTER_TOPICS.stream()
                .flatMap(topic -> partitions.get(topic).stream())
                .toList();
        return ends(all).values().stream().mapToLong(Long::longValue).sum();
    }

    /** The last sampling error, if sampling ever failed (empty otherwise). */
    String lastError() {
        return lastError;
    }

    private void record() {
        try {
            sampleNow();
        } catch (Exception e) {
            lastError = e.toString();
        }
    }

    private Sample sample() throws Exception {
        long nanos = System.nanoTime();
        Map<String, ListConsumerGroupOffsetsSpec> specs = new LinkedHashMap<>();
        GROUPS.forEach((group, topic) ->
                specs.put(group, new ListConsumerGroupOffsetsSpec().topicPartitions(partitions.get(topic))));
        Map<String, Map<TopicPartition, OffsetAndMetadata>> offsets =
                admin.listConsumerGroupOffsets(specs).all().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, Long> ends = ends(GROUPS.values().stream()
                .distinct()
                .flatMap(topic -> partitions.get(topic).stream())
                .toList());
        Map<String, Long> lag = new LinkedHashMap<>();
        Map<String, Long> committed = new LinkedHashMap<>();
        Map<String, Long> end = new LinkedHashMap<>();
        GROUPS.forEach((group, topic) -> {
            long groupLag = 0;
            long groupCommitted = 0;
            long groupEnd = 0;
            for (TopicPartition partition : partitions.get(topic)) {
                OffsetAndMetadata offset = offsets.getOrDefault(group, Map.of()).get(partition);
                long position = offset == null ? 0 : offset.offset();
                long partitionEnd = ends.get(partition);
                groupLag += Math.max(0, partitionEnd - position);
                groupCommitted += position;
                groupEnd += partitionEnd;
            }
            lag.put(group, groupLag);
            committed.put(group, groupCommitted);
            end.put(group, groupEnd);
        });
        return new Sample(nanos, lag, committed, end);
    }

    private Map<TopicPartition, Long> ends(List<TopicPartition> topicPartitions)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        topicPartitions.forEach(partition -> latest.put(partition, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest)
                .all()
                .get(10, TimeUnit.SECONDS)
                .forEach((partition, info) -> ends.put(partition, info.offset()));
        return ends;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }

    private static Map<String, String> groups() {
        Map<String, String> groups = new LinkedHashMap<>();
        groups.put("stock-service", "orders");
        groups.put("order-service", "stock");
        groups.put("mail-service", "orders");
        return groups;
    }
}
