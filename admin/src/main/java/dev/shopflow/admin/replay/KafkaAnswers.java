package dev.shopflow.admin.replay;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.UnknownMemberIdException;

/** Waiting for the answers of Kafka's admin client during a replay, its failures told as the replay answers them. */
final class KafkaAnswers {

    static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(15);

    private KafkaAnswers() {}

    /**
     * The answer, within {@link #KAFKA_TIMEOUT}; a group with live members refuses the replay (409), any other
     * failure is an {@link IllegalStateException} (503).
     */
    static <T> T await(KafkaFuture<T> future) {
        try {
            return future.get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while talking to Kafka", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + KAFKA_TIMEOUT, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupNotEmptyException || e.getCause() instanceof UnknownMemberIdException) {
                throw new ReplayRefusedException("Kafka refused to reset group offsets: the group has live members ("
                        + e.getCause().getMessage() + "); retry once only this instance runs");
            }
            throw new IllegalStateException("Kafka failed: " + e.getCause().getMessage(), e.getCause());
        }
    }
}
