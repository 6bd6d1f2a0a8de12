package dev.shopflow.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shopflow.events.EventDecodingException;
import dev.shopflow.events.EventJson;
import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.testsupport.RelayedRecord;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A poll batch in one transaction, and exactly one record named when something fails: the records before it are
 * done (committed), it is the one the error handler retries or dead-letters, and nothing after it is committed.
 */
class EventBatchesTests {

    private final Transactions transactions = new Transactions();
    private final EventBatches batches =
            new EventBatches(new EventRecords(new EventJson()), new TransactionTemplate(transactions));
    private final List<List<Long>> handled = new ArrayList<>();

    @Test
    void aBatchIsHandledInOneTransactionInRecordOrder() {
        batches.handle(List.of(placed(0), placed(1), placed(2)), events -> record(events, Optional.empty()));

        assertThat(handled).containsExactly(List.of(0L, 1L, 2L));
        assertThat(transactions.log).containsExactly("commit");
    }

    @Test
    void thePoisonRecordIsNamedAfterTheEventsBeforeItAreHandled() {
        List<ConsumerRecord<String, String>> records = List.of(placed(0), poison(1), placed(2));

        assertThatThrownBy(() -> batches.handle(records, events -> record(events, Optional.empty())))
                .isInstanceOfSatisfying(BatchListenerFailedException.class, e -> {
                    assertThat(e.getRecord()).isSameAs(records.get(1));
                    assertThat(e.getCause()).isInstanceOf(EventDecodingException.class);
                });
        assertThat(handled).containsExactly(List.of(0L));
        assertThat(transactions.log).containsExactly("commit");
    }

    @Test
    void anEventOnATopicItDoesNotBelongOnIsPoison() {
        ConsumerRecord<String, String> misrouted =
                RelayedRecord.of(placedEvent()).topic("stock").consumerRecord(0, 1);
        List<ConsumerRecord<String, String>> records = List.of(placed(0), misrouted, placed(2));

        assertThatThrownBy(() -> batches.handle(records, events -> record(events, Optional.empty())))
                .isInstanceOfSatisfying(BatchListenerFailedException.class, e -> {
                    assertThat(e.getRecord()).isSameAs(misrouted);
                    assertThat(e.getCause())
                            .isInstanceOf(EventDecodingException.class)
                            .hasMessageContaining("OrderPlaced on topic stock");
                });
        assertThat(handled).containsExactly(List.of(0L));
    }

    @Test
    void aFailedBatchIsRolledBackAndHandledOneAtATimeToFindTheFailingEvent() {
        List<ConsumerRecord<String, String>> records = List.of(placed(0), placed(1), placed(2), placed(3));
        IllegalStateException broken = new IllegalStateException("event 2 cannot be handled");

        assertThatThrownBy(() -> batches.handle(records, events -> {
                    record(events, Optional.empty());
                    if (events.stream().anyMatch(event -> event.record().offset() == 2)) {
                        throw broken;
                    }
                    return Optional.empty();
                }))
                .isInstanceOfSatisfying(BatchListenerFailedException.class, e -> {
                    assertThat(e.getRecord()).isSameAs(records.get(2));
                    assertThat(e.getCause()).isSameAs(broken);
                });
        assertThat(handled).containsExactly(List.of(0L, 1L, 2L, 3L), List.of(0L), List.of(1L), List.of(2L));
        assertThat(transactions.log).containsExactly("rollback", "commit", "commit", "rollback");
    }

    @Test
    void aReportedFailureCommitsWhatWasDoneAndNamesThatEvent() {
        List<ConsumerRecord<String, String>> records = List.of(placed(0), placed(1), placed(2));
        RuntimeException refused = new PermanentEventFailure("refused");

        assertThatThrownBy(() -> batches.handle(
                        records, events -> record(events, Optional.of(new EventBatchHandler.Failure(1, refused)))))
                .isInstanceOfSatisfying(BatchListenerFailedException.class, e -> {
                    assertThat(e.getRecord()).isSameAs(records.get(1));
                    assertThat(e.getCause()).isSameAs(refused);
                });
        assertThat(handled).containsExactly(List.of(0L, 1L, 2L));
        assertThat(transactions.log).containsExactly("commit");
    }

    private Optional<EventBatchHandler.Failure> record(
            List<EventBatchHandler.Received> events, Optional<EventBatchHandler.Failure> result) {
        handled.add(events.stream().map(event -> event.record().offset()).toList());
        return result;
    }

    private static ConsumerRecord<String, String> placed(long offset) {
        return RelayedRecord.of(placedEvent()).consumerRecord(0, offset);
    }

    private static ConsumerRecord<String, String> poison(long offset) {
        return RelayedRecord.of(placedEvent()).value("{not json").consumerRecord(0, offset);
    }

    private static OrderPlaced placedEvent() {
        return new OrderPlaced(
                UUID.randomUUID(),
                UUID.randomUUID(),
                Instant.now(),
                "c",
                "ada@example.com",
                List.of(new OrderLine("SKU-1", 1, BigDecimal.ONE)),
                BigDecimal.ONE);
    }

    /** Records what each transaction ended with. */
    static final class Transactions extends AbstractPlatformTransactionManager {

        final List<String> log = new ArrayList<>();

        @Override
        protected Object doGetTransaction() {
            return new Object();
        }

        @Override
        protected void doBegin(Object transaction, TransactionDefinition definition) {}

        @Override
        protected void doCommit(DefaultTransactionStatus status) {
            log.add("commit");
        }

        @Override
        protected void doRollback(DefaultTransactionStatus status) {
            log.add("rollback");
        }
    }
}
