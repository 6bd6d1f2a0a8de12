package dev.shopflow.admin.deadletter;

import dev.shopflow.consumer.EventConsumerAutoConfiguration;
import dev.shopflow.events.EventHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.support.KafkaHeaders;

/**
 * Re-drives this group's dead letters of one topic: every record of {@code <topic>.<group>.dlt} not re-driven
 * before is published again to the topic, with its original key, value and headers (the exception headers
 * dropped), a poll batch at a time, and the re-drive's own group {@code <group>.redrive} commits past each batch
 * only once Kafka acknowledged it. Other groups reading the topic get the event again and skip it as already processed.
 */
public class DeadLetterRedrive {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterRedrive.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int LISTED = 100;
    private static final int BATCH = 500;

    private final String group;
    private final Map<String, Object> consumerConfig;
    private final Map<String, Object> producerConfig;

    /** Connects as the service's own consumers and producers do (same servers, security and client settings). */
    public DeadLetterRedrive(String group, ConsumerFactory<?, ?> consumers, ProducerFactory<?, ?> producers) {
        this.group = group;
        this.consumerConfig = new HashMap<>(consumers.getConfigurationProperties());
        this.producerConfig = new HashMap<>(producers.getConfigurationProperties());
    }

    /** The group whose committed offsets on a dead-letter topic mark what has been re-driven. */
    static String redriveGroup(String group) {
        return group + ".redrive";
    }

    /**
     * @param listed the first {@value #LISTED} dead letters pending
     * @param pending how many dead letters were not re-driven yet (before this call)
     * @param redriven how many were published again now (0 for a dry run)
     */
    public record Report(
            String group, String deadLetterTopic, String topic, long pending, long redriven, List<DeadLetter> listed) {}

    public record DeadLetter(
            int partition,
            long offset,
            @Nullable String eventId,
            @Nullable String eventType,
            @Nullable String error) {}

    /**
     * Lists (dry run) or re-drives the pending dead letters. They are read and published a poll batch at a time
     * ({@value #BATCH} records at most), each batch committed once Kafka acknowledged it, so a dead-letter topic of
     * any size takes bounded memory, and a re-drive that fails half-way keeps what it did: a retry goes on with the
     * rest.
     */
    public Report run(String topic, boolean execute) {
        String deadLetters = EventConsumerAutoConfiguration.deadLetterTopic(topic, group);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = partitions(consumer, deadLetters);
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
            long pending = 0;
            for (TopicPartition partition : partitions) {
                pending += Math.max(0, ends.get(partition) - consumer.position(partition, TIMEOUT));
            }
            List<DeadLetter> listed = new ArrayList<>();
            if (!execute || pending == 0) {
                readUpTo(consumer, ends, batch -> {
                    batch.stream()
                            .limit(LISTED - listed.size())
                            .map(DeadLetterRedrive::describe)
                            .forEach(listed::add);
                    return listed.size() < LISTED;
                });
                return new Report(group, deadLetters, topic, pending, 0, listed);
            }
            long[] redriven = {0};
            try (KafkaProducer<byte[], byte[]> producer = producer()) {
                readUpTo(consumer, ends, batch -> {
                    batch.stream()
                            .limit(LISTED - listed.size())
                            .map(DeadLetterRedrive::describe)
                            .forEach(listed::add);
                    publish(producer, topic, batch, redriven[0]);
                    consumer.commitSync(next(batch), TIMEOUT);
                    redriven[0] += batch.size();
                    return true;
                });
            }
            log.warn("Re-drove {} dead letters of {} to {}", redriven[0], deadLetters, topic);
            return new Report(group, deadLetters, topic, pending, redriven[0], listed);
        }
    }

    /**
     * Polls until every partition's position reaches its end, handing each poll's records below the ends to
     * {@code each} (at most {@value #BATCH}); stops early when it answers false. Fails when nothing arrives for
     * {@link #TIMEOUT} although records are due.
     */
    private static void readUpTo(
            KafkaConsumer<byte[], byte[]> consumer,
            Map<TopicPartition, Long> ends,
            java.util.function.Predicate<List<ConsumerRecord<byte[], byte[]>>> each) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (ends.entrySet().stream().anyMatch(end -> consumer.position(end.getKey(), TIMEOUT) < end.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Could not read the dead letters: nothing arrived for " + TIMEOUT);
            }
            List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
                    batch.add(record);
                }
            }
            if (batch.isEmpty()) {
                continue;
            }
            deadline = System.nanoTime() + TIMEOUT.toNanos();
            if (!each.test(batch)) {
                return;
            }
        }
    }

    /** The offsets after the last record of each partition in the batch: what to commit once it is re-driven. */
    private static Map<TopicPartition, OffsetAndMetadata> next(List<ConsumerRecord<byte[], byte[]>> batch) {
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : batch) {
            next.merge(
                    new TopicPartition(record.topic(), record.partition()),
                    new OffsetAndMetadata(record.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        return next;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> config = new HashMap<>(producerConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void publish(
            KafkaProducer<byte[], byte[]> producer,
            String topic,
            List<ConsumerRecord<byte[], byte[]>> records,
            long redrivenBefore) {
        try {
            List<Future<?>> acks = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                ProducerRecord<byte[], byte[]> again = new ProducerRecord<>(topic, record.key(), record.value());
                for (Header header : record.headers()) {
                    if (!header.key().startsWith(KafkaHeaders.PREFIX + "dlt-")) {
                        again.headers().add(header);
                    }
                }
                acks.add(producer.send(again));
            }
            for (Future<?> ack : acks) {
                ack.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException(
                    "Publishing dead letters to " + topic + " failed (" + e.getMessage() + ") after " + redrivenBefore
                            + " were re-driven; the rest is not marked re-driven, so a retry publishes it again"
                            + " (consumers skip duplicates)",
                    e);
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, redriveGroup(group));
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, BATCH);
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
        if (infos == null || infos.isEmpty()) {
            throw new InvalidRedriveException("topic: dead-letter topic " + topic + " does not exist");
        }
        return infos.stream()
                .map(info -> new TopicPartition(topic, info.partition()))
                .toList();
    }

    private static DeadLetter describe(ConsumerRecord<byte[], byte[]> record) {
        return new DeadLetter(
                record.partition(),
                record.offset(),
                header(record, EventHeaders.EVENT_ID),
                header(record, EventHeaders.EVENT_TYPE),
                header(record, KafkaHeaders.DLT_EXCEPTION_MESSAGE));
    }

    private static @Nullable String header(ConsumerRecord<?, ?> record, String key) {
        Header header = record.headers().lastHeader(key);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
