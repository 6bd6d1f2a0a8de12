package dev.shopflow.consumer;

import dev.shopflow.events.EventDecodingException;
import dev.shopflow.events.EventJson;
import dev.shopflow.retention.TableRetention;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.time.Duration;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.RetryListener;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * How every shopflow consumer treats a failing record, in a service with {@code spring.kafka.consumer.group-id}:
 *
 * <ul>
 *   <li>a poison record ({@link EventDecodingException}: malformed, unknown type, unknown schema version; or a
 *       {@link PermanentEventFailure}) goes to
 *       the group's dead-letter topic {@code <topic>.<group>.dlt} at once, with the original value, key and headers
 *       plus the exception, and the partition moves on;
 *   <li>a transient failure ({@link TransientFailures}: database unreachable, read-only or overloaded, a
 *       serialization failure; a {@link TransientEventFailure}) is retried with exponential backoff (0.5 s
 *       doubling to 30 s, {@link RetryProperties}) for as long as it lasts;
 *   <li>any other failure is retried the same way 10 times (about 3 minutes), then dead-lettered.
 * </ul>
 *
 * Retries happen in place: the partition waits, so events of one order are never reordered. Batch listeners get
 * the same treatment per record through {@link EventBatches}, which names the failing record of a batch.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration"
        })
@ConditionalOnProperty("spring.kafka.consumer.group-id")
@EnableConfigurationProperties({TopicsProperties.class, RetryProperties.class, DedupeProperties.class})
public class EventConsumerAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EventConsumerAutoConfiguration.class);

    /** The dead-letter topic of a source topic for this service's consumer group. */
    public static String deadLetterTopic(String topic, String group) {
        return topic + "." + group + ".dlt";
    }

    /**
     * The topics this service publishes to and its dead-letter topics, created with their partitions, retention and
     * (event topics) segment time; an existing topic gets the configured retention and segment time too (the service's {@code KafkaAdmin} modifies
     * topic configs that differ: {@code spring.kafka.admin.modify-topic-configs=true} in each service).
     */
    @Bean
    KafkaAdmin.NewTopics shopflowTopics(TopicsProperties properties) {
        return new KafkaAdmin.NewTopics(properties.topics().stream()
                .map(name -> {
                    TopicBuilder topic = TopicBuilder.name(name)
                            .partitions(properties.partitions())
                            .replicas(properties.replicationFactor())
                            .config(
                                    TopicConfig.RETENTION_MS_CONFIG,
                                    Long.toString(properties.retentionOf(name).toMillis()));
                    Duration segment = properties.segmentOf(name);
                    if (segment != null) {
                        topic.config(TopicConfig.SEGMENT_MS_CONFIG, Long.toString(segment.toMillis()));
                    }
                    return topic.build();
                })
                .toArray(NewTopic[]::new));
    }

    /**
     * The dedupe record in the service's database, and its retention; {@code shopflow.dedupe.enabled=false} for a
     * service that guards its effects another way (mail-service: its mail log), so its database has no
     * {@code processed_events}.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnSingleCandidate(DataSource.class)
    @ConditionalOnBooleanProperty(name = "shopflow.dedupe.enabled", matchIfMissing = true)
    static class Dedupe {

        @Bean
        @DependsOnDatabaseInitialization
        @ConditionalOnMissingBean
        @ConditionalOnBooleanProperty(name = "shopflow.dedupe.migrate-schema", matchIfMissing = true)
        ConsumerSchema consumerSchema(DataSource dataSource) {
            return ConsumerSchema.migrate(dataSource);
        }

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnBooleanProperty(name = "shopflow.dedupe.migrate-schema", havingValue = false)
        ConsumerSchema consumerSchemaManagedElsewhere() {
            return ConsumerSchema.managedElsewhere();
        }

        @Bean
        @ConditionalOnMissingBean
        ProcessedEvents processedEvents(
                ConsumerSchema schema, DataSource dataSource, DedupeProperties dedupe, TopicsProperties topics) {
            topics.requireOutlivedBy(dedupe.retention(), "shopflow.dedupe.retention");
            return new ProcessedEvents(JdbcClient.create(dataSource));
        }

        @Bean
        DedupeWindow dedupeWindow(DedupeProperties dedupe) {
            return new DedupeWindow(dedupe.retention(), "shopflow.dedupe.retention");
        }

        @Bean
        TableRetention processedEventsRetention(
                ConsumerSchema schema,
                DataSource dataSource,
                DedupeProperties dedupe,
                ObjectProvider<MeterRegistry> registry) {
            return new TableRetention(
                    dataSource,
                    "processed_events",
                    "processed_at",
                    dedupe.retention(),
                    registry.getIfAvailable(SimpleMeterRegistry::new));
        }
    }

    @Bean
    @ConditionalOnMissingBean
    EventRecords eventRecords(ObjectProvider<EventJson> json) {
        return new EventRecords(json.getIfAvailable(EventJson::new));
    }

    @Bean
    @ConditionalOnMissingBean
    EventBatches eventBatches(
            EventRecords eventRecords,
            PlatformTransactionManager transactions,
            ObjectProvider<Tracer> tracer,
            ObjectProvider<Propagator> propagator) {
        return new EventBatches(
                eventRecords,
                new TransactionTemplate(transactions),
                tracer.getIfAvailable(() -> Tracer.NOOP),
                propagator.getIfAvailable(() -> Propagator.NOOP));
    }

    /** Events a handler writes to the outbox continue the trace of the event it handled for that order. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.shopflow.outbox.EventTraceContext")
    static class OutboxTraces {

        @Bean
        @Order(Ordered.HIGHEST_PRECEDENCE)
        HandledEventTraces handledEventTraces() {
            return new HandledEventTraces();
        }
    }

    @Bean
    @ConditionalOnMissingBean(DefaultErrorHandler.class)
    DefaultErrorHandler eventErrorHandler(
            KafkaOperations<?, ?> kafka, KafkaProperties properties, RetryProperties retry) {
        String group = properties.getConsumer().getGroupId();
        DeadLetterPublishingRecoverer deadLetters = new DeadLetterPublishingRecoverer(
                kafka, (record, error) -> new TopicPartition(deadLetterTopic(record.topic(), group), -1));
        DefaultErrorHandler handler = new DefaultErrorHandler(deadLetters, backOff(retry, retry.attempts()));
        handler.setBackOffFunction(
                (record, error) -> TransientFailures.isTransient(error) ? backOff(retry, Long.MAX_VALUE) : null);
        handler.addNotRetryableExceptions(EventDecodingException.class, PermanentEventFailure.class);
        handler.setRetryListeners(new RetryListener() {

            @Override
            public void failedDelivery(ConsumerRecord<?, ?> record, Exception error, int attempt) {
                if (!isPoison(error)) {
                    log.warn("Event at {} failed (attempt {}); retrying: {}", at(record), attempt, reason(error));
                }
            }

            @Override
            public void recovered(ConsumerRecord<?, ?> record, Exception error) {
                log.error(
                        "Event at {} dead-lettered to {}: {}",
                        at(record),
                        deadLetterTopic(record.topic(), group),
                        reason(error));
            }

            @Override
            public void recoveryFailed(ConsumerRecord<?, ?> record, Exception original, Exception failure) {
                log.error(
                        "Event at {} could not be dead-lettered ({}); it will be tried again: {}",
                        at(record),
                        reason(failure),
                        reason(original));
            }
        });
        return handler;
    }

    private static String at(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    private static boolean isPoison(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof EventDecodingException || cause instanceof PermanentEventFailure) {
                return true;
            }
        }
        return false;
    }

    /** What went wrong, without the wrappers the listener container adds: the innermost cause and its class. */
    static String reason(Throwable error) {
        Throwable root = NestedExceptionUtils.getMostSpecificCause(error);
        return (TransientFailures.isTransient(error) ? "transient, " : "")
                + root.getClass().getName() + ": " + root.getMessage();
    }

    private static BackOff backOff(RetryProperties retry, long maxAttempts) {
        ExponentialBackOff backOff =
                new ExponentialBackOff(retry.initialInterval().toMillis(), 2.0);
        backOff.setMaxInterval(retry.maxInterval().toMillis());
        backOff.setMaxAttempts(maxAttempts);
        return backOff;
    }
}
