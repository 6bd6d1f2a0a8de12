package dev.shopflow.relay;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.ProducerFactory;

/**
 * The relay's Kafka producer, one at a time: {@link #get} the current one, {@link #close} it (the next {@link #get}
 * makes a new one). It comes from a copy of the application's {@link ProducerFactory} (Spring Boot's), so Boot's
 * connection details, {@code spring.kafka.security.protocol}, SSL bundle and {@code spring.kafka.producer.*} apply
 * to it as they do to every other client, and so do the factory's listeners: Boot's {@code
 * MicrometerProducerListener} gives it {@code kafka_producer_*} metrics, under the client id {@value #CLIENT_ID}-N.
 */
final class RelayProducer {

    /** The factory numbers its producers: {@code outbox-relay-1}, then {@code outbox-relay-2} after a close. */
    static final String CLIENT_ID = "outbox-relay";

    private final DefaultKafkaProducerFactory<byte[], byte[]> factory;
    private @Nullable Producer<byte[], byte[]> current;

    RelayProducer(DefaultKafkaProducerFactory<byte[], byte[]> factory) {
        this.factory = factory;
    }

    static RelayProducer of(ProducerFactory<?, ?> application) {
        return new RelayProducer(factory(application));
    }

    /**
     * The application's factory with the settings the relay's guarantees rest on forced: every in-sync replica
     * acknowledges, the producer is idempotent (no duplicates or reordering from its own retries), and it retries a
     * send for as long as it takes (no {@code delivery.timeout.ms}): a batch the producer gave up on while a later
     * batch of its partition was still to come would let that later batch land first, and a key's events arrive out
     * of order. How long Kafka has been away shows in the relay's health ({@link RelayHealthIndicator#STALLED_AFTER})
     * and metrics, not in failed sends. The relay sends the outbox's bytes as they are, whatever serializers the
     * application's producers use.
     */
    static DefaultKafkaProducerFactory<byte[], byte[]> factory(ProducerFactory<?, ?> application) {
        Map<String, Object> configured = application.getConfigurationProperties();
        Map<String, Object> relay = new HashMap<>();
        relay.put(ProducerConfig.ACKS_CONFIG, "all");
        relay.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        relay.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        relay.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        relay.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        relay.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        relay.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        relay.put(ProducerConfig.CLIENT_ID_CONFIG, CLIENT_ID);
        // throughput and how soon a send without metadata fails; the application's spring.kafka.producer.* wins
        Map<String, Object> defaults = Map.of(
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        defaults.forEach((key, value) -> {
            if (!configured.containsKey(key)) {
                relay.put(key, value);
            }
        });
        if (!(application.copyWithConfigurationOverride(relay) instanceof DefaultKafkaProducerFactory<?, ?> copy)) {
            throw new IllegalStateException("The outbox relay needs the application's ProducerFactory to copy itself"
                    + " into a DefaultKafkaProducerFactory, as Spring Boot's does; got " + application);
        }
        @SuppressWarnings("unchecked")
        DefaultKafkaProducerFactory<byte[], byte[]> factory = (DefaultKafkaProducerFactory<byte[], byte[]>) copy;
        // serializer instances the application's factory may carry would win over the configured classes
        factory.setKeySerializerSupplier(ByteArraySerializer::new);
        factory.setValueSerializerSupplier(ByteArraySerializer::new);
        // the spring.id tag of its metrics
        factory.setBeanName("outboxRelayProducerFactory");
        return factory;
    }

    /**
     * The current producer, or a new one. Never transactional, even where the application's producers are: a
     * record is sent on its own and acknowledged on its own.
     */
    synchronized Producer<byte[], byte[]> get() {
        if (current == null) {
            current = factory.createNonTransactionalProducer();
        }
        return current;
    }

    /**
     * Closes the current producer, giving it up to {@code timeout} (whole seconds) to send what it holds; what it
     * has not sent then is dropped. The producer the factory hands out is shared and closing it does nothing, so
     * the factory is reset instead, which really closes it (and removes its metrics).
     */
    synchronized void close(Duration timeout) {
        if (current == null) {
            return;
        }
        current = null;
        factory.setPhysicalCloseTimeout((int) Math.min(timeout.toSeconds(), Integer.MAX_VALUE));
        factory.reset();
    }
}
