package dev.shopflow.outbox;

import dev.shopflow.events.EventDecodingException;
import dev.shopflow.events.EventJson;
import java.util.Set;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.transaction.CannotCreateTransactionException;
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
 *   <li>a transient failure (database unreachable, {@link TransientEventFailure}) is retried with exponential
 *       backoff (0.5 s doubling to 30 s) for as long as it lasts;
 *   <li>any other failure is retried the same way 10 times (about 3 minutes), then dead-lettered.
 * </ul>
 *
 * Retries happen in place: the partition waits, so events of one order are never reordered. Batch listeners get
 * the same treatment per record through {@link EventBatches}, which names the failing record of a batch.
 */
@AutoConfiguration(
        after = OutboxAutoConfiguration.class,
        afterName = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration")
@ConditionalOnProperty("spring.kafka.consumer.group-id")
@EnableConfigurationProperties(TopicsProperties.class)
public class EventConsumerAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EventConsumerAutoConfiguration.class);
    private static final Set<Class<? extends Exception>> TRANSIENT = Set.of(
            TransientEventFailure.class,
            TransientDataAccessException.class,
            DataAccessResourceFailureException.class,
            CannotCreateTransactionException.class);

    /** The dead-letter topic of a source topic for this service's consumer group. */
    public static String deadLetterTopic(String topic, String group) {
        return topic + "." + group + ".dlt";
    }

    @Bean
    KafkaAdmin.NewTopics shopflowTopics(TopicsProperties properties) {
        return new KafkaAdmin.NewTopics(properties.topics().stream()
                .map(name -> TopicBuilder.name(name)
                        .partitions(properties.partitions())
                        .replicas(properties.replicationFactor())
                        .build())
                .toArray(NewTopic[]::new));
    }

    @Bean
    @ConditionalOnMissingBean
    EventRecords eventRecords(ObjectProvider<EventJson> json) {
        return new EventRecords(json.getIfAvailable(EventJson::new));
    }

    @Bean
    @ConditionalOnMissingBean
    EventBatches eventBatches(EventRecords eventRecords, PlatformTransactionManager transactions) {
        return new EventBatches(eventRecords, new TransactionTemplate(transactions));
    }

    @Bean
    @ConditionalOnMissingBean(DefaultErrorHandler.class)
    DefaultErrorHandler eventErrorHandler(KafkaOperations<?, ?> kafka, KafkaProperties properties) {
        String group = properties.getConsumer().getGroupId();
        DeadLetterPublishingRecoverer deadLetters = new DeadLetterPublishingRecoverer(
                kafka, (record, error) -> new TopicPartition(deadLetterTopic(record.topic(), group), -1));
        DefaultErrorHandler handler = new DefaultErrorHandler(deadLetters, backOff(10));
        handler.setBackOffFunction((record, error) -> isTransient(error) ? backOff(Long.MAX_VALUE) : null);
        handler.addNotRetryableExceptions(EventDecodingException.class, PermanentEventFailure.class);
        handler.setRetryListeners((record, error, attempt) -> log.warn(
                "Event at {}-{}@{} failed (attempt {}); retrying: {}",
                record.topic(),
                record.partition(),
                record.offset(),
                attempt,
                String.valueOf(error.getCause() == null ? error : error.getCause())));
        return handler;
    }

    private static BackOff backOff(long maxAttempts) {
        ExponentialBackOff backOff = new ExponentialBackOff(500, 2.0);
        backOff.setMaxInterval(30_000);
        backOff.setMaxAttempts(maxAttempts);
        return backOff;
    }

    private static boolean isTransient(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            for (Class<? extends Exception> type : TRANSIENT) {
                if (type.isInstance(cause)) {
                    return true;
                }
            }
        }
        return false;
    }
}
