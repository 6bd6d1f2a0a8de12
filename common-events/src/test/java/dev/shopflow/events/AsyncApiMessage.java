package dev.shopflow.events;

import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One message of the AsyncAPI document: an event type in one schema version, with its headers, its payload's schema
 * file and its Kafka key.
 */
final class AsyncApiMessage {

    private AsyncApiMessage() {}

    static ObjectNode of(EventType type, int version) {
        ObjectNode message = JsonNodeFactory.instance.objectNode();
        message.put("name", type.typeName());
        message.put("title", type.typeName() + " v" + version);
        message.put("contentType", "application/json");

        ObjectNode headers = message.putObject("headers");
        headers.put("type", "object");
        headers.putArray("required")
                .add(EventHeaders.EVENT_ID)
                .add(EventHeaders.EVENT_TYPE)
                .add(EventHeaders.SCHEMA_VERSION);
        ObjectNode properties = headers.putObject("properties");
        ObjectNode eventId = properties.putObject(EventHeaders.EVENT_ID);
        eventId.put("type", "string");
        eventId.put("format", "uuid");
        eventId.put("description", "The event id, as in the payload; consumers deduplicate on it.");
        ObjectNode eventType = properties.putObject(EventHeaders.EVENT_TYPE);
        eventType.put("type", "string");
        eventType.put("const", type.typeName());
        ObjectNode schemaVersion = properties.putObject(EventHeaders.SCHEMA_VERSION);
        schemaVersion.put("type", "string");
        schemaVersion.put("const", String.valueOf(version));
        ObjectNode traceparent = properties.putObject(EventHeaders.TRACEPARENT);
        traceparent.put("type", "string");
        traceparent.put(
                "description",
                "W3C trace context of the request or event handling that wrote the event; absent when there was"
                        + " none.");

        message.putObject("payload").put("$ref", EventCatalogue.schemaFile(type, version));

        ObjectNode kafka = message.putObject("bindings").putObject("kafka");
        ObjectNode key = kafka.putObject("key");
        key.put("type", "string");
        key.put("format", "uuid");
        key.put("description", "The order id (UTF-8 text), the payload's orderId.");
        kafka.put("bindingVersion", AsyncApiDocument.KAFKA_BINDING_VERSION);
        return message;
    }
}
