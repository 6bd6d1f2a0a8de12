package dev.shopflow.consumer;

import dev.shopflow.events.DomainEvent;
import dev.shopflow.events.EventHeaders;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;
import org.springframework.kafka.support.KafkaUtils;

/**
 * The span of one handled event, {@code handle <EventType>}: a child of the span that relayed it (the record's
 * {@code traceparent}), from decoding until its batch is done. Events the handler writes to an outbox continue it
 * (when the outbox library is present), and {@link #logScope} puts it, with the order and event ids, in the
 * logging context.
 */
public final class EventTrace {

    /** Keys this puts in the logging context (MDC), beside the tracer's {@code traceId} and {@code spanId}. */
    public static final String ORDER_ID = "orderId";

    public static final String EVENT_ID = "eventId";
    public static final String CONSUMER_GROUP = "consumerGroup";

    static final EventTrace NONE = new EventTrace(Tracer.NOOP, null, null);

    private final Tracer tracer;
    private final @Nullable Span span;
    private final @Nullable String traceparent;

    private EventTrace(Tracer tracer, @Nullable Span span, @Nullable String traceparent) {
        this.tracer = tracer;
        this.span = span;
        this.traceparent = traceparent;
    }

    static EventTrace start(
            Tracer tracer, Propagator propagator, DomainEvent event, ConsumerRecord<String, String> record) {
        if (tracer == Tracer.NOOP) {
            return NONE;
        }
        Span.Builder builder = propagator.extract(record, (carrier, key) -> {
            Header header = carrier.headers().lastHeader(key);
            return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        });
        Span span = builder.name("handle " + header(record, EventHeaders.EVENT_TYPE))
                .kind(Span.Kind.CONSUMER)
                .remoteServiceName("kafka")
                .tag("messaging.system", "kafka")
                .tag("messaging.destination.name", record.topic())
                .tag("messaging.kafka.partition", String.valueOf(record.partition()))
                .tag("messaging.kafka.offset", String.valueOf(record.offset()))
                .tag("messaging.consumer.group.name", String.valueOf(KafkaUtils.getConsumerGroupId()))
                .tag("shopflow.event.id", event.eventId().toString())
                .tag("shopflow.order.id", event.orderId().toString())
                .start();
        Map<String, String> context = new HashMap<>(4);
        propagator.inject(span.context(), context, Map::put);
        return new EventTrace(tracer, span, context.get(EventHeaders.TRACEPARENT));
    }

    /** This event's span as a W3C traceparent, for what the handler writes; empty without tracing. */
    public Optional<String> traceparent() {
        return Optional.ofNullable(traceparent);
    }

    /**
     * Makes this event's span current and puts its order id, event id and consumer group in the logging context,
     * until closed: a handler logging about one event of a batch wraps the line in it.
     */
    public LogScope logScope(DomainEvent event) {
        Tracer.SpanInScope inScope = span == null ? null : tracer.withSpan(span);
        MDC.MDCCloseable order = MDC.putCloseable(ORDER_ID, event.orderId().toString());
        MDC.MDCCloseable id = MDC.putCloseable(EVENT_ID, event.eventId().toString());
        String group = KafkaUtils.getConsumerGroupId();
        MDC.MDCCloseable consumer = group == null ? null : MDC.putCloseable(CONSUMER_GROUP, group);
        return () -> {
            if (consumer != null) {
                consumer.close();
            }
            id.close();
            order.close();
            if (inScope != null) {
                inScope.close();
            }
        };
    }

    /** Puts the consumer group in the logging context, until closed: for lines about a whole batch. */
    static LogScope groupScope() {
        String group = KafkaUtils.getConsumerGroupId();
        if (group == null) {
            return () -> {};
        }
        MDC.MDCCloseable consumer = MDC.putCloseable(CONSUMER_GROUP, group);
        return consumer::close;
    }

    void end(@Nullable Throwable error) {
        if (span != null) {
            if (error != null) {
                span.error(error);
            }
            span.end();
        }
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "event" : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** Closes what {@link #logScope} opened; never throws. */
    @FunctionalInterface
    public interface LogScope extends AutoCloseable {
        @Override
        void close();
    }
}
