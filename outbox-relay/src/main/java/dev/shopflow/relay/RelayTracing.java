package dev.shopflow.relay;

import dev.shopflow.events.EventHeaders;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A span per relayed event, {@code relay <EventType>}: a child of the trace the outbox row carries (the request or
 * event that wrote it), from the send until Kafka acknowledged it. The record leaves with this span's context in
 * its {@code traceparent}, so the consumers' spans are its children.
 */
final class RelayTracing {

    static final RelayTracing NONE = new RelayTracing(Tracer.NOOP, Propagator.NOOP);

    private final Tracer tracer;
    private final Propagator propagator;

    RelayTracing(Tracer tracer, Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    /** Starts a span for each record and puts its context on the record. End them with {@link #end}. */
    List<Span> start(List<OutboxRecord> records) {
        if (tracer == Tracer.NOOP) {
            return List.of();
        }
        List<Span> spans = new ArrayList<>(records.size());
        for (OutboxRecord record : records) {
            Headers headers = record.kafkaRecord().headers();
            Span span = propagator
                    .extract(headers, RelayTracing::header)
                    .name("relay " + header(headers, EventHeaders.EVENT_TYPE))
                    .kind(Span.Kind.PRODUCER)
                    .remoteServiceName("kafka")
                    .tag("messaging.system", "kafka")
                    .tag("messaging.destination.name", record.kafkaRecord().topic())
                    .tag("shopflow.event.id", record.eventId())
                    .tag("shopflow.order.id", new String(record.kafkaRecord().key(), StandardCharsets.UTF_8))
                    .start();
            propagator.inject(span.context(), headers, (carrier, key, value) -> {
                carrier.remove(key);
                carrier.add(key, value.getBytes(StandardCharsets.UTF_8));
            });
            spans.add(span);
        }
        return spans;
    }

    /** Ends the spans: when Kafka acknowledged the records, or with the error that stopped the relay first. */
    static void end(List<Span> spans, Throwable error) {
        for (Span span : spans) {
            if (error != null) {
                span.error(error);
            }
            span.end();
        }
    }

    private static String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
