package dev.shopflow.outbox;

import dev.shopflow.events.DomainEvent;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The span current on the writing thread (a request's server span, a listener's span), as a traceparent. */
final class CurrentSpan implements EventTraceContext {

    private final Tracer tracer;
    private final Propagator propagator;

    CurrentSpan(Tracer tracer, Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    @Override
    public Optional<String> traceparentOf(DomainEvent event) {
        TraceContext context = tracer.currentTraceContext().context();
        if (context == null) {
            return Optional.empty();
        }
        Map<String, String> headers = new HashMap<>(4);
        propagator.inject(context, headers, Map::put);
        return Optional.ofNullable(headers.get("traceparent"));
    }
}
