package dev.shopflow.events;

/** Kafka record header names the relay sets on every event. */
public final class EventHeaders {

    public static final String EVENT_ID = "eventId";
    public static final String EVENT_TYPE = "eventType";
    public static final String SCHEMA_VERSION = "schemaVersion";

    /** W3C trace context of the request that wrote the event, when there was one. */
    public static final String TRACEPARENT = "traceparent";

    private EventHeaders() {}
}
