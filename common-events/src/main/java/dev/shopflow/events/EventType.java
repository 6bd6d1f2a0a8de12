package dev.shopflow.events;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The wire identity of each event: a stable type name, the current schema version and its topic.
 *
 * <p>The name is what the outbox {@code type} column and the {@value EventHeaders#EVENT_TYPE} header carry.
 * Bump {@code schemaVersion} on an incompatible payload change; adding an optional field is compatible.
 */
public enum EventType {
    ORDER_PLACED("OrderPlaced", 1, Topics.ORDERS, OrderPlaced.class),
    ORDER_CONFIRMED("OrderConfirmed", 1, Topics.ORDERS, OrderConfirmed.class),
    ORDER_REJECTED("OrderRejected", 1, Topics.ORDERS, OrderRejected.class),
    STOCK_RESERVED("StockReserved", 1, Topics.STOCK, StockReserved.class),
    STOCK_REJECTED("StockRejected", 1, Topics.STOCK, StockRejected.class);

    private static final Map<String, EventType> BY_NAME =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(EventType::typeName, Function.identity()));

    private final String typeName;
    private final int schemaVersion;
    private final String topic;
    private final Class<? extends DomainEvent> javaType;

    EventType(String typeName, int schemaVersion, String topic, Class<? extends DomainEvent> javaType) {
        this.typeName = typeName;
        this.schemaVersion = schemaVersion;
        this.topic = topic;
        this.javaType = javaType;
    }

    /** The type of an event; exhaustive over the sealed hierarchy, so a new event fails to compile until listed. */
    public static EventType of(DomainEvent event) {
        return switch (event) {
            case OrderPlaced e -> ORDER_PLACED;
            case OrderConfirmed e -> ORDER_CONFIRMED;
            case OrderRejected e -> ORDER_REJECTED;
            case StockReserved e -> STOCK_RESERVED;
            case StockRejected e -> STOCK_REJECTED;
        };
    }

    public static Optional<EventType> byName(String typeName) {
        return Optional.ofNullable(BY_NAME.get(typeName));
    }

    public String typeName() {
        return typeName;
    }

    /** The version this build writes. */
    public int schemaVersion() {
        return schemaVersion;
    }

    /**
     * The versions {@link EventJson} reads: only the one it writes. To keep reading an older version after a bump,
     * teach {@link EventJson} to turn it into the current record and list it here; the catalogue tests then demand
     * its golden file and schema.
     */
    public Set<Integer> readVersions() {
        return Set.of(schemaVersion);
    }

    /** The topic the relay routes this event to; also the outbox {@code aggregatetype}. */
    public String topic() {
        return topic;
    }

    public Class<? extends DomainEvent> javaType() {
        return javaType;
    }
}
