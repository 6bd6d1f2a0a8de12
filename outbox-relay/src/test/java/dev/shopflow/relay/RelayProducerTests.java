package dev.shopflow.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.MicrometerProducerListener;

/** The relay's producer comes from the application's ProducerFactory, with what the relay needs forced. */
class RelayProducerTests {

    /** A relay producer whose factory makes its producers with {@code producers} (Kafka's MockProducer, say). */
    static RelayProducer making(Supplier<? extends Producer<byte[], byte[]>> producers) {
        return new RelayProducer(new DefaultKafkaProducerFactory<>(Map.of()) {
            @Override
            protected Producer<byte[], byte[]> createKafkaProducer() {
                return producers.get();
            }
        });
    }

    @Test
    void keepsTheApplicationsConnectionAndSecurityAndForcesWhatTheRelayNeeds() {
        Map<String, Object> application = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                "broker-1:9093",
                "security.protocol",
                "SSL",
                "ssl.truststore.location",
                "/certs/truststore.p12",
                ProducerConfig.ACKS_CONFIG,
                "1",
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                "tx-1",
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                "org.example.JsonSerializer",
                ProducerConfig.LINGER_MS_CONFIG,
                20,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                30_000);

        Map<String, Object> relay = RelayProducer.factory(new DefaultKafkaProducerFactory<>(application))
                .getConfigurationProperties();

        assertThat(relay)
                .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "broker-1:9093")
                .containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.truststore.location", "/certs/truststore.p12")
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .as("a batch the producer expires lets the partition's next batch land first: it never gives up")
                .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE)
                .containsEntry(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE)
                .containsEntry(ProducerConfig.LINGER_MS_CONFIG, 20)
                .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
                .containsEntry(ProducerConfig.CLIENT_ID_CONFIG, "outbox-relay")
                .containsEntry(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class)
                .doesNotContainKey(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    }

    /**
     * Spring Boot adds a MicrometerProducerListener to its factory; the copy keeps it, so the relay's producer is
     * measured like every other client. Closing really closes it (its metrics go), and the next one is numbered on.
     */
    @Test
    void eachProducerHasTheApplicationsMetricsUnderTheRelaysClientIdUntilItIsClosed() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DefaultKafkaProducerFactory<Object, Object> application = new DefaultKafkaProducerFactory<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                "localhost:9092",
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                "tx-",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                "org.apache.kafka.common.serialization.StringSerializer",
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                "org.apache.kafka.common.serialization.StringSerializer"));
        application.addListener(new MicrometerProducerListener<>(registry));
        RelayProducer relay = RelayProducer.of(application);

        Producer<byte[], byte[]> first = relay.get();
        assertThat(relay.get()).isSameAs(first);
        assertThat(producerClientIds(registry)).containsExactly("outbox-relay-1");
        assertThatThrownBy(first::initTransactions)
                .as("never transactional, even where the application's producers are")
                .isInstanceOf(IllegalStateException.class);

        relay.close(Duration.ZERO);
        assertThat(producerClientIds(registry)).isEmpty();

        relay.get();
        assertThat(producerClientIds(registry)).containsExactly("outbox-relay-2");
        relay.close(Duration.ZERO);
    }

    private static Set<String> producerClientIds(SimpleMeterRegistry registry) {
        return registry.getMeters().stream()
                .map(Meter::getId)
                .filter(id -> id.getName().startsWith("kafka.producer."))
                .map(id -> id.getTag("client.id"))
                .collect(Collectors.toSet());
    }
}
