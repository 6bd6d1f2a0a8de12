package dev.shopflow.relay;

import dev.shopflow.outbox.OutboxAutoConfiguration;
import dev.shopflow.outbox.OutboxSchema;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import javax.sql.DataSource;
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
                RelayProducer.of(producerFactory),
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
}
