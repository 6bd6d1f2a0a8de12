package dev.shopflow.relay;

import dev.shopflow.outbox.OutboxAutoConfiguration;
import dev.shopflow.outbox.OutboxSchema;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.core.ProducerFactory;

/**
 * The relay that carries outbox rows to Kafka, where {@code shopflow.outbox.relay.slot-name} is set (and {@code
 * shopflow.outbox.relay.enabled} is not {@code false}): leadership among replicas, the Debezium engine, the sink,
 * the slot and offset checks, retention of relayed rows, metrics and health.
 */
@AutoConfiguration(
        after = OutboxAutoConfiguration.class,
        afterName = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration")
@ConditionalOnBean(OutboxSchema.class)
@ConditionalOnProperty("shopflow.outbox.relay.slot-name")
@ConditionalOnBooleanProperty(name = "shopflow.outbox.relay.enabled", matchIfMissing = true)
@EnableConfigurationProperties(RelayProperties.class)
public class RelayAutoConfiguration {

    @Bean
    PostgresCoordinates outboxRelayDatabase(JdbcConnectionDetails jdbc) {
        return PostgresCoordinates.of(jdbc);
    }

    @Bean
    SlotMonitor outboxRelaySlotMonitor(OutboxSchema schema, DataSource dataSource, RelayProperties properties) {
        return new SlotMonitor(JdbcClient.create(dataSource), properties.slotName());
    }

    @Bean
    OffsetCheck outboxRelayOffsetCheck(
            DataSource dataSource, SlotMonitor slot, RelayProperties properties, RelayMetrics metrics) {
        return new OffsetCheck(JdbcClient.create(dataSource), slot, properties.slotName(), metrics);
    }

    @Bean
    RelayLeadership outboxRelayLeadership(
            OutboxSchema schema, RelayProperties properties, PostgresCoordinates database) {
        return new RelayLeadership(properties, database);
    }

    @Bean
    RelayMetrics outboxRelayMetrics(
            ObjectProvider<MeterRegistry> registry, RelayLeadership leadership, SlotMonitor slot) {
        return new RelayMetrics(registry.getIfAvailable(SimpleMeterRegistry::new), leadership, slot);
    }

    @Bean
    ParkedEvents outboxRelayParkedEvents(OutboxSchema schema, DataSource dataSource, RelayMetrics metrics) {
        ParkedEvents parked = new ParkedEvents(JdbcClient.create(dataSource));
        metrics.watch(parked);
        return parked;
    }

    @Bean
    DebeziumRelay outboxRelay(
            RelayProperties properties,
            PostgresCoordinates database,
            ProducerFactory<?, ?> producerFactory,
            KafkaConnectionDetails kafkaConnection,
            RelayMetrics metrics,
            OffsetCheck offsetCheck,
            RelayLeadership leadership,
            ParkedEvents parked,
            DataSource dataSource,
            ObjectProvider<Tracer> tracer,
            ObjectProvider<Propagator> propagator) {
        DebeziumRelay relay = new DebeziumRelay(
                properties,
                new EngineSettings(
                        properties,
                        database,
                        String.join(",", kafkaConnection.getProducer().getBootstrapServers())),
                () -> new KafkaProducer<>(
                        producerConfig(producerFactory.getConfigurationProperties()),
                        new ByteArraySerializer(),
                        new ByteArraySerializer()),
                metrics,
                offsetCheck,
                parked,
                new RelayTracing(
                        tracer.getIfAvailable(() -> Tracer.NOOP), propagator.getIfAvailable(() -> Propagator.NOOP)));
        leadership.manage(relay, new OutboxRetention(JdbcClient.create(dataSource), properties.retention(), metrics));
        return relay;
    }

    @Bean
    RelayHealthIndicator outboxRelayHealthIndicator(
            RelayLeadership leadership, RelayMetrics metrics, OffsetCheck offsetCheck, ParkedEvents parked) {
        return new RelayHealthIndicator(leadership, metrics, offsetCheck, parked);
    }

    /**
     * Producers for the relay: the configuration of the application's own Kafka producers (Spring Boot's, so its
     * connection details, {@code spring.kafka.security.protocol}, SSL bundle and {@code spring.kafka.producer.*}
     * apply as they do to every other client), with the settings the relay's guarantees rest on forced: every
     * in-sync replica acknowledges, the producer is idempotent (no duplicates or reordering from its own retries)
     * and not transactional, and it retries a send for as long as it takes (no {@code delivery.timeout.ms}): a
     * batch the producer gave up on while a later batch of its partition was still to come would let that later
     * batch land first, and a key's events arrive out of order. How long Kafka has been away shows in the relay's
     * health ({@link RelayHealthIndicator#STALLED_AFTER}) and metrics, not in failed sends.
     */
    static Map<String, Object> producerConfig(Map<String, Object> application) {
        Map<String, Object> config = new HashMap<>(application);
        config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        config.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        config.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        config.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        config.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "outbox-relay");
        return config;
    }
}
