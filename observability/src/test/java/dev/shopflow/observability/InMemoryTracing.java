package dev.shopflow.observability;

import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.micrometer.tracing.propagation.Propagator;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;

/**
 * The tracer the services run with (Micrometer Tracing on OpenTelemetry, W3C propagation), keeping the finished
 * spans in memory for a test to read.
 */
public final class InMemoryTracing {

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final OtelTracer tracer;
    private final OtelPropagator propagator;

    public InMemoryTracing() {
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                .build();
        io.opentelemetry.api.trace.Tracer otel = provider.get("test");
        tracer = new OtelTracer(otel, new OtelCurrentTraceContext(), event -> {});
        propagator = new OtelPropagator(ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel);
    }

    public Tracer tracer() {
        return tracer;
    }

    public Propagator propagator() {
        return propagator;
    }

    public List<SpanData> finishedSpans() {
        return exporter.getFinishedSpanItems();
    }
}
