package dev.shopflow.consumer;

import dev.shopflow.events.EventDecodingException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.kafka.listener.RetryListener;

/** Logs what the error handler does with a failing record: each retry, the dead-lettering, a failed dead-lettering. */
final class FailedEventsLog implements RetryListener {

    private static final Logger log = LoggerFactory.getLogger(FailedEventsLog.class);

    private final String group;

    FailedEventsLog(String group) {
        this.group = group;
    }

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
                EventConsumerAutoConfiguration.deadLetterTopic(record.topic(), group),
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
}
