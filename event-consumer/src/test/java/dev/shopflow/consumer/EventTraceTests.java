package dev.shopflow.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shopflow.events.EventJson;
import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.observability.InMemoryTracing;
import dev.shopflow.testsupport.RelayedRecord;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.transaction.support.TransactionTemplate;

/** Each handled event is a span continuing the relay's, and what the handler writes continues the event's span. */
class EventTraceTests {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String RELAY_SPAN = "00f067aa0ba902b7";

    private final InMemoryTracing tracing = new InMemoryTracing();
    private final EventBatches batches = new EventBatches(
            new EventRecords(new EventJson()),
            new TransactionTemplate(new EventBatchesTests.Transactions()),
            tracing.tracer(),
            tracing.propagator());
    private final HandledEventTraces outbox = new HandledEventTraces();

    @Test
    void eachEventIsASpanUnderTheRelaysAndWhatTheHandlerWritesForItsOrderContinuesIt() {
        OrderPlaced first = placed();
        OrderPlaced second = placed();
        List<String> written = new ArrayList<>();
        List<Map<String, String>> logged = new ArrayList<>();

        batches.handle(List.of(record(first, 0, RELAY_SPAN), record(second, 1, null)), events -> {
            for (EventBatchHandler.Received received : events) {
                written.add(
                        outbox.traceparentOf(placed(received.event().orderId())).orElseThrow());
                try (var scope = received.logScope()) {
                    logged.add(MDC.getCopyOfContextMap());
                }
            }
            return Optional.empty();
        });

        List<SpanData> spans = tracing.finishedSpans();
        assertThat(spans).extracting(SpanData::getName).containsExactly("handle OrderPlaced", "handle OrderPlaced");
        assertThat(spans).extracting(SpanData::getKind).containsOnly(SpanKind.CONSUMER);
        SpanData handledFirst = spans.get(0);
        assertThat(handledFirst.getTraceId()).isEqualTo(TRACE);
        assertThat(handledFirst.getParentSpanId()).isEqualTo(RELAY_SPAN);
        assertThat(spans.get(1).getParentSpanContext().isValid())
                .as("an event without trace context starts a trace")
                .isFalse();
        assertThat(written.get(0)).isEqualTo("00-" + TRACE + "-" + handledFirst.getSpanId() + "-01");
        assertThat(written.get(1))
                .startsWith(
                        "00-" + spans.get(1).getTraceId() + "-" + spans.get(1).getSpanId());
        assertThat(logged.get(0))
                .containsEntry(EventTrace.ORDER_ID, first.orderId().toString())
                .containsEntry(EventTrace.EVENT_ID, first.eventId().toString());
        assertThat(MDC.get(EventTrace.ORDER_ID)).isNull();
        assertThat(outbox.traceparentOf(first))
                .as("only while the batch is handled")
                .isEmpty();
    }

    @Test
    void theEventThatFailedEndsWithItsError() {
        List<ConsumerRecord<String, String>> records =
                List.of(record(placed(), 0, RELAY_SPAN), record(placed(), 1, RELAY_SPAN));
        IllegalStateException broken = new IllegalStateException("cannot handle the second");

        assertThatThrownBy(
                        () -> batches.handle(records, events -> Optional.of(new EventBatchHandler.Failure(1, broken))))
                .isInstanceOf(BatchListenerFailedException.class);

        assertThat(tracing.finishedSpans())
                .extracting(span -> span.getStatus().getStatusCode())
                .containsExactly(StatusCode.UNSET, StatusCode.ERROR);
    }

    private static OrderPlaced placed() {
        return placed(UUID.randomUUID());
    }

    private static OrderPlaced placed(UUID orderId) {
        return new OrderPlaced(
                UUID.randomUUID(),
                orderId,
                Instant.now(),
                "customer-1",
                "customer@example.com",
                List.of(new OrderLine("SKU-1", 1, BigDecimal.ONE)),
                BigDecimal.ONE);
    }

    private static ConsumerRecord<String, String> record(OrderPlaced event, long offset, String parentSpan) {
        RelayedRecord record = RelayedRecord.of(event);
        if (parentSpan != null) {
            record.traceparent("00-" + TRACE + "-" + parentSpan + "-01");
        }
        return record.consumerRecord(0, offset);
    }
}
