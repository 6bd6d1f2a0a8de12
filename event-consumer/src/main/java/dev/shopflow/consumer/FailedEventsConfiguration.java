package dev.shopflow.consumer;

import dev.shopflow.events.EventDecodingException;
import org.apache.kafka.common.TopicPartition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * How every shopflow consumer treats a failing record:
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
@Configuration(proxyBeanMethods = false)
class FailedEventsConfiguration {

    @Bean
    @ConditionalOnMissingBean(DefaultErrorHandler.class)
    DefaultErrorHandler eventErrorHandler(
            KafkaOperations<?, ?> kafka, KafkaProperties properties, RetryProperties retry) {
        String group = properties.getConsumer().getGroupId();
        DeadLetterPublishingRecoverer deadLetters = new DeadLetterPublishingRecoverer(
                kafka,
                (record, error) ->
                        new TopicPartition(EventConsumerAutoConfiguration.deadLetterTopic(record.topic(), group), -1));
        DefaultErrorHandler handler = new DefaultErrorHandler(deadLetters, backOff(retry, retry.attempts()));
        handler.setBackOffFunction(
                (record, error) -> TransientFailures.isTransient(error) ? backOff(retry, Long.MAX_VALUE) : null);
        handler.addNotRetryableExceptions(EventDecodingException.class, PermanentEventFailure.class);
        handler.setRetryListeners(new FailedEventsLog(group));
        return handler;
    }

    private static BackOff backOff(RetryProperties retry, long maxAttempts) {
        ExponentialBackOff backOff =
                new ExponentialBackOff(retry.initialInterval().toMillis(), 2.0);
        backOff.setMaxInterval(retry.maxInterval().toMillis());
        backOff.setMaxAttempts(maxAttempts);
        return backOff;
    }
}
