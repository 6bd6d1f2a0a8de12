package dev.shopflow.consumer;

import dev.shopflow.events.DomainEvent;
import dev.shopflow.events.EventDecodingException;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Handles a batch listener's poll batch in one database transaction, so a consumer pays one commit per batch
 * instead of one per event, and still fails exactly one record when something goes wrong:
 *
 * <ul>
 *   <li>records are decoded in order; the first one that cannot be decoded (a poison record) ends the batch: the
 *       events before it are handled, then it is reported;
 *   <li>when the batch transaction throws, it is rolled back and the events are handled again one per
 *       transaction, so the event that fails is found and the ones before it commit;
 *   <li>the failing record is reported as a {@link BatchListenerFailedException}: the error handler commits the
 *       offsets before it and retries it or sends it to the dead-letter topic as it does for a single record
 *       ({@link FailedEventsConfiguration}), and the records after it are delivered again.
 * </ul>
 *
 * Each event is traced ({@link EventTrace}); events the handler writes to an outbox continue the trace of the
 * handled event of the same order.
 *
 * <p>Events of one key stay in order: a batch is handled in record order, and nothing after a failed record is
 * committed before it.
 */
public final class EventBatches {

    private static final Logger log = LoggerFactory.getLogger(EventBatches.class);

    private final EventRecords events;
    private final TransactionTemplate transaction;
    private final Tracer tracer;
    private final Propagator propagator;

    public EventBatches(EventRecords events, TransactionTemplate transaction) {
        this(events, transaction, Tracer.NOOP, Propagator.NOOP);
    }

    /** Also traces each event ({@link EventTrace}). */
    public EventBatches(EventRecords events, TransactionTemplate transaction, Tracer tracer, Propagator propagator) {
        this.events = events;
        this.transaction = transaction;
        this.tracer = tracer;
        this.propagator = propagator;
    }

    /** @throws BatchListenerFailedException naming the first record that was not handled */
    public void handle(List<ConsumerRecord<String, String>> records, EventBatchHandler handler) {
        List<EventBatchHandler.Received> decoded = new ArrayList<>(records.size());
        EventDecodingException poison = null;
        for (ConsumerRecord<String, String> record : records) {
            try {
                DomainEvent event = events.decode(record);
                decoded.add(new EventBatchHandler.Received(
                        event, record, EventTrace.start(tracer, propagator, event, record)));
            } catch (EventDecodingException e) {
                poison = e;
                break;
            }
        }
        if (!decoded.isEmpty()) {
            // a batch of one (the usual case below full load) logs in its event's scope, a larger one per event
            try (EventTrace.LogScope scope =
                    decoded.size() == 1 ? decoded.getFirst().logScope() : EventTrace.groupScope()) {
                handleDecoded(decoded, handler);
            } catch (BatchListenerFailedException e) {
                decoded.forEach(received -> received.trace().end(received.record() == e.getRecord() ? e : null));
                throw e;
            } catch (RuntimeException e) {
                decoded.forEach(received -> received.trace().end(e));
                throw e;
            }
            decoded.forEach(received -> received.trace().end(null));
        }
        if (poison != null) {
            throw failed(records.get(decoded.size()), poison);
        }
    }

    private void handleDecoded(List<EventBatchHandler.Received> batch, EventBatchHandler handler) {
        Optional<EventBatchHandler.Failure> failure;
        try {
            failure = inTransaction(batch, handler);
        } catch (RuntimeException batchFailed) {
            if (batch.size() == 1) {
                throw failed(batch.get(0).record(), batchFailed);
            }
            log.info(
                    "A batch of {} events failed ({}); handling them one at a time to find the one that fails",
                    batch.size(),
                    batchFailed.toString());
            for (EventBatchHandler.Received event : batch) {
                Optional<EventBatchHandler.Failure> single;
                try {
                    single = inTransaction(List.of(event), handler);
                } catch (RuntimeException e) {
                    throw failed(event.record(), e);
                }
                if (single.isPresent()) {
                    throw failed(event.record(), single.get().cause());
                }
            }
            return;
        }
        if (failure.isPresent()) {
            throw failed(
                    batch.get(failure.get().index()).record(), failure.get().cause());
        }
    }

    private Optional<EventBatchHandler.Failure> inTransaction(
            List<EventBatchHandler.Received> batch, EventBatchHandler handler) {
        Optional<EventBatchHandler.Failure> failure =
                transaction.execute(status -> HandledEvents.during(batch, () -> handler.handle(batch)));
        return failure == null ? Optional.empty() : failure;
    }

    private static BatchListenerFailedException failed(ConsumerRecord<?, ?> record, RuntimeException cause) {
        return new BatchListenerFailedException(
                "Event at " + record.topic() + "-" + record.partition() + "@" + record.offset() + " failed",
                cause,
                record);
    }
}
