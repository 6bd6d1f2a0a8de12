package dev.shopflow.consumer;

import dev.shopflow.events.DomainEvent;
import dev.shopflow.events.EventDecodingException;
import dev.shopflow.events.EventHeaders;
import dev.shopflow.events.EventJson;
import dev.shopflow.events.EventType;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** Decodes the Kafka records the relay writes: type and schema version from the headers, payload from the value. */
public final class EventRecords {

    private final EventJson json;

    public EventRecords(EventJson json) {
        this.json = json;
    }

    /**
     * @throws EventDecodingException for a record this build can never decode (a poison record), and for an event
     *     on a topic it does not belong on (a stock event on {@code orders}): no consumer can ever handle it there
     */
    public DomainEvent decode(ConsumerRecord<?, String> record) {
        String type = header(record, EventHeaders.EVENT_TYPE);
        String version = header(record, EventHeaders.SCHEMA_VERSION);
        if (!version.matches("[1-9][0-9]{0,8}")) {
            throw new EventDecodingException("Malformed " + EventHeaders.SCHEMA_VERSION + " header '" + version + "'");
        }
        if (record.value() == null) {
            throw new EventDecodingException("Record without a value");
        }
        DomainEvent event = json.read(type, Integer.parseInt(version), record.value());
        String home = EventType.of(event).topic();
        if (!home.equals(record.topic())) {
            throw new EventDecodingException("A " + type + " on topic " + record.topic() + "; it belongs on " + home);
        }
        return event;
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        if (header == null || header.value() == null) {
            throw new EventDecodingException("Record without a " + name + " header");
        }
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
