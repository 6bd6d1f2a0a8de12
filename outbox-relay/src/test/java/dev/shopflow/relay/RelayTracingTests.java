package dev.shopflow.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shopflow.observability.InMemoryTracing;
import io.micrometer.tracing.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RelayTracingTests {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String WRITER_SPAN = "00f067aa0ba902b7";

    private final InMemoryTracing tracing = new InMemoryTracing();
    private final RelayTracing relay = new RelayTracing(tracing.tracer(), tracing.propagator());

    @Test
    void theSendIsAChildOfTheSpanThatWroteTheEventAndTheRecordCarriesTheSend() {
        OutboxRecord record = record("00-" + TRACE + "-" + WRITER_SPAN + "-01");

        List<Span> spans = relay.start(List.of(record));
        RelayTracing.end(spans, null);

        SpanData send = tracing.finishedSpans().getFirst();
        assertThat(send.getName()).isEqualTo("relay OrderPlaced");
        assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(send.getTraceId()).isEqualTo(TRACE);
        assertThat(send.getParentSpanId()).isEqualTo(WRITER_SPAN);
        assertThat(send.getAttributes().asMap().toString())
                .contains("shopflow.order.id=order-1", "messaging.destination.name=orders");
        assertThat(traceparent(record)).isEqualTo("00-" + TRACE + "-" + send.getSpanId() + "-01");
    }

    @Test
    void anEventWrittenOutsideATraceStartsOne() {
        OutboxRecord record = record(null);

        RelayTracing.end(relay.start(List.of(record)), new IllegalStateException("relay stopping"));

        SpanData send = tracing.finishedSpans().getFirst();
        assertThat(send.getParentSpanContext().isValid()).isFalse();
        assertThat(send.getStatus().getStatusCode().name()).isEqualTo("ERROR");
        assertThat(traceparent(record)).contains(send.getTraceId(), send.getSpanId());
    }

    @Test
    void withoutATracerTheRecordIsLeftAsItIs() {
        String traceparent = "00-" + TRACE + "-" + WRITER_SPAN + "-01";
        OutboxRecord record = record(traceparent);

        assertThat(RelayTracing.NONE.start(List.of(record))).isEmpty();
        assertThat(traceparent(record)).isEqualTo(traceparent);
    }

    private static OutboxRecord record(String traceparent) {
        return OutboxRecord.from(ChangeEvents.outboxInsert("event-1", "order-1", traceparent)
                        .record())
                .orElseThrow();
    }

    private static String traceparent(OutboxRecord record) {
        return new String(
                record.kafkaRecord().headers().lastHeader("traceparent").value(), StandardCharsets.UTF_8);
    }
}
