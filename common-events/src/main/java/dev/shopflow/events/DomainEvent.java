package dev.shopflow.events;

import java.time.Instant;
import java.util.UUID;

/** What every shopflow event carries: its own id, the order it belongs to and when it happened. */
public sealed interface DomainEvent permits OrderEvent, StockEvent {

    /** Unique per event; consumers deduplicate on it. */
    UUID eventId();

    /** The order this event belongs to. It is the Kafka record key, so all events of one order share a partition. */
    UUID orderId();

    Instant occurredAt();
}
