package dev.shopflow.order;

import dev.shopflow.events.EventHeaders;
import dev.shopflow.events.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads the orders topic from the beginning, without a consumer group, keeping each event's LogAppendTime. */
final class RelayTopicReader implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Long> appendedAt = new HashMap<>();
    private long records;

    RelayTopicReader(String bootstrapServers) {
        consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers,
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                        10_000),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = IntStream.range(0, RelayBenchmark.PARTITIONS)
                .mapToObj(p -> new TopicPartition(Topics.ORDERS, p))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    void awaitAll(Collection<String> eventIds, Duration timeout) {
        Set<String> missing = new HashSet<>(eventIds);
        missing.removeAll(appendedAt.keySet());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!missing.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(missing.size() + " of " + eventIds.size()
                        + " events did not reach the topic within " + timeout);
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                if (record.timestampType() != TimestampType.LOG_APPEND_TIME) {
                    throw new IllegalStateException("Record without LogAppendTime: " + record);
                }
                Header eventId = record.headers().lastHeader(EventHeaders.EVENT_ID);
                String id = new String(eventId.value(), StandardCharsets.UTF_8);
                records++;
                appendedAt.putIfAbsent(id, record.timestamp());
                missing.remove(id);
            }
        }
    }

    long appendedAtMillis(String eventId) {
        return appendedAt.get(eventId);
    }

    long records() {
        return records;
    }

    long distinct() {
        return appendedAt.size();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
