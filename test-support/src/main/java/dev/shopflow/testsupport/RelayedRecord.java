package dev.shopflow.testsupport;

import dev.shopflow.events.DomainEvent;
import dev.shopflow.events.EventHeaders;
import dev.shopflow.events.EventJson;
import dev.shopflow.events.EventType;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * A Kafka record as the relay writes an event: on the event's topic, keyed by order id, the JSON payload as value
 * and the {@link EventHeaders} set. A test that needs a record the relay would never write (a poison payload, an
 * unknown type or version, a dead letter) starts from the relayed one and changes what it is about, so everything
 * else stays as the relay has it.
 */
public final class RelayedRecord {

    private static final EventJson JSON = new EventJson();

    private String topic;
    private String key;
    private String value;
    private final Map<String, String> headers = new LinkedHashMap<>();

    private RelayedRecord(String topic, String key, String value) {
        this.topic = topic;
        this.key = key;
        this.value = value;
    }

    public static RelayedRecord of(DomainEvent event) {
        EventType type = EventType.of(event);
        return new RelayedRecord(type.topic(), event.orderId().toString(), JSON.write(event))
                .header(EventHeaders.EVENT_ID, event.eventId().toString())
                .header(EventHeaders.EVENT_TYPE, type.typeName())
                .header(EventHeaders.SCHEMA_VERSION, Integer.toString(type.schemaVersion()));
    }

    public RelayedRecord topic(String topic) {
        this.topic = topic;
        return this;
    }

    public RelayedRecord key(String key) {
        this.key = key;
        return this;
    }

    /** A payload other than the event's JSON, such as one that does not parse. */
    public RelayedRecord value(String value) {
        this.value = value;
        return this;
    }

    public RelayedRecord eventId(UUID eventId) {
        return header(EventHeaders.EVENT_ID, eventId.toString());
    }

    public RelayedRecord eventType(String typeName) {
        return header(EventHeaders.EVENT_TYPE, typeName);
    }

    /** A string, not a number: a malformed version is a case the consumers handle. */
    public RelayedRecord schemaVersion(String version) {
        return header(EventHeaders.SCHEMA_VERSION, version);
    }

    /** The W3C trace context the relay passes on when the event was written inside a traced request. */
    public RelayedRecord traceparent(String traceparent) {
        return header(EventHeaders.TRACEPARENT, traceparent);
    }

    /** Sets a header, replacing one of the same name. */
    public RelayedRecord header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public RelayedRecord withoutHeader(String name) {
        headers.remove(name);
        return this;
    }

    /** To publish, as the relay does. */
    public ProducerRecord<String, String> producerRecord() {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
        addHeaders(record.headers());
        return record;
    }

    /** As a listener receives it from the given partition and offset. */
    public ConsumerRecord<String, String> consumerRecord(int partition, long offset) {
        ConsumerRecord<String, String> record = new ConsumerRecord<>(topic, partition, offset, key, value);
        addHeaders(record.headers());
        return record;
    }

    private void addHeaders(Headers target) {
        headers.forEach((name, headerValue) -> target.add(name, headerValue.getBytes(StandardCharsets.UTF_8)));
    }
}
