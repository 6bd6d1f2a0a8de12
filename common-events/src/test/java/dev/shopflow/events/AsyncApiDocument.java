package dev.shopflow.events;

import static dev.shopflow.events.EventCatalogue.deadLetterChannel;
import static dev.shopflow.events.EventCatalogue.messageId;
import static dev.shopflow.events.EventCatalogue.topics;
import static dev.shopflow.events.EventCatalogue.typesOn;
import static dev.shopflow.events.EventCatalogue.versions;
import static dev.shopflow.events.EventServices.SERVICES;
import static dev.shopflow.events.EventServices.names;
import static dev.shopflow.events.EventServices.publishersOf;
import static dev.shopflow.events.EventServices.readersOf;

import dev.shopflow.events.EventServices.Service;
import java.util.Arrays;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * The AsyncAPI 3.0 document of the event catalogue: a channel per topic and one for its dead letters, each service's
 * send and receive operations ({@link EventServices}), and a message per type and schema version
 * ({@link AsyncApiMessage}).
 */
final class AsyncApiDocument {

    static final String KAFKA_BINDING_VERSION = "0.5.0";

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER, YAMLWriteFeature.SPLIT_LINES)
            .enable(
                    YAMLWriteFeature.MINIMIZE_QUOTES,
                    YAMLWriteFeature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS,
                    YAMLWriteFeature.LITERAL_BLOCK_STYLE,
                    YAMLWriteFeature.INDENT_ARRAYS_WITH_INDICATOR)
            .build();

    private AsyncApiDocument() {}

    static String text() {
        return YAML.writeValueAsString(document());
    }

    static ObjectNode document() {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("asyncapi", "3.0.0");
        ObjectNode info = doc.putObject("info");
        info.put("title", "shopflow events");
        info.put("version", String.valueOf(catalogueVersion()));
        info.put("description", wrap("""
                The events order-service, stock-service and mail-service exchange over Kafka. Generated from the \
                module common-events (EventType and the event records); do not edit.

                A record's key is the order id (all events of one order share a partition), its value the JSON \
                payload, its headers the event id, type and schema version as UTF-8 text. A reader ignores payload \
                fields it does not know; a type or schema version it does not read goes to its dead-letter topic. \
                A compatible change keeps a type's schema version, an incompatible one gives it a new one, with a \
                schema of its own.

                info.version is the sum of the event types' current schema versions: it grows with every new type \
                or version.
                """));
        doc.put("defaultContentType", "application/json");
        addChannels(doc.putObject("channels"));
        addOperations(doc.putObject("operations"));
        ObjectNode messages = doc.putObject("components").putObject("messages");
        for (EventType type : EventType.values()) {
            for (int version : versions(type)) {
                messages.set(messageId(type, version), AsyncApiMessage.of(type, version));
            }
        }
        return doc;
    }

    private static void addChannels(ObjectNode channels) {
        for (String topic : topics()) {
            ObjectNode channel = channels.putObject(topic);
            channel.put("address", topic);
            channel.put("title", topic);
            channel.put(
                    "description",
                    wrap("Published by " + names(publishersOf(topic)) + ", read by " + names(readersOf(topic))
                            + ". Keyed by order id; partitions and retention are settings of the services"
                            + " (KAFKA_PARTITIONS, KAFKA_RETENTION)."));
            channel.set("messages", messageRefs(topic));
            channel.putObject("bindings").putObject("kafka").put("bindingVersion", KAFKA_BINDING_VERSION);

            ObjectNode deadLetters = channels.putObject(deadLetterChannel(topic));
            deadLetters.put("address", topic + ".{group}.dlt");
            deadLetters.put("title", topic + " dead letters");
            deadLetters.put(
                    "description",
                    wrap("What one consumer group gave up on: each record of " + topic + " it could never handle"
                            + " (malformed, an unknown type or schema version, on the wrong topic, or still failing"
                            + " after its retries), published unchanged (same key, value and headers; so it need"
                            + " not match the messages below) plus the headers Spring Kafka adds:"
                            + " kafka_dlt-exception-fqcn, kafka_dlt-exception-cause-fqcn,"
                            + " kafka_dlt-exception-message, kafka_dlt-exception-stacktrace,"
                            + " kafka_dlt-original-topic, kafka_dlt-original-consumer-group and"
                            + " kafka_dlt-original-timestamp-type (UTF-8 text), kafka_dlt-original-partition"
                            + " (4-byte big-endian int), kafka_dlt-original-offset and kafka_dlt-original-timestamp"
                            + " (8-byte big-endian long). Kept a year; re-driven to " + topic + " with POST"
                            + " /admin/dead-letters/redrive of the group's service."));
            ObjectNode group = deadLetters.putObject("parameters").putObject("group");
            group.put("description", "the consumer group that dead-lettered the record");
            ArrayNode groups = group.putArray("enum");
            readersOf(topic).forEach(service -> groups.add(service.name()));
            deadLetters.set("messages", messageRefs(topic));
            deadLetters.putObject("bindings").putObject("kafka").put("bindingVersion", KAFKA_BINDING_VERSION);
        }
    }

    private static void addOperations(ObjectNode operations) {
        for (Service service : SERVICES) {
            for (String topic : topics()) {
                if (service.publishes().contains(topic)) {
                    ObjectNode send = operations.putObject(service.name() + ".publishes." + topic);
                    send.put("action", "send");
                    send.putObject("channel").put("$ref", "#/channels/" + topic);
                    send.put("title", service.name() + " publishes " + topic);
                    send.put("summary", "Through its outbox and relay: every event at least once.");
                    send.put(
                            "description",
                            wrap("The event is written to the outbox in the transaction of the change it announces;"
                                    + " the relay publishes it at least once, the events of one order in commit"
                                    + " order."));
                    ArrayNode messages = send.putArray("messages");
                    typesOn(topic)
                            .forEach(type ->
                                    messages.addObject().put("$ref", messageRef(topic, type, type.schemaVersion())));
                    send.putArray("tags").addObject().put("name", service.name());
                }
                String effect = service.reads().get(topic);
                if (effect != null) {
                    ObjectNode receive = operations.putObject(service.name() + ".reads." + topic);
                    receive.put("action", "receive");
                    receive.putObject("channel").put("$ref", "#/channels/" + topic);
                    receive.put("title", service.name() + " reads " + topic);
                    receive.put("summary", "Consumer group " + service.name() + ".");
                    receive.put("description", wrap(effect));
                    ArrayNode messages = receive.putArray("messages");
                    typesOn(topic)
                            .forEach(type -> type.readVersions().stream()
                                    .sorted()
                                    .forEach(version ->
                                            messages.addObject().put("$ref", messageRef(topic, type, version))));
                    ObjectNode kafka = receive.putObject("bindings").putObject("kafka");
                    ObjectNode groupId = kafka.putObject("groupId");
                    groupId.put("type", "string");
                    groupId.putArray("enum").add(service.name());
                    kafka.put("bindingVersion", KAFKA_BINDING_VERSION);
                    receive.putArray("tags").addObject().put("name", service.name());
                }
            }
        }
    }

    /** Long text as lines of at most 100 characters, which the YAML shows as a literal block. */
    private static String wrap(String text) {
        StringBuilder wrapped = new StringBuilder();
        for (String paragraph : text.strip().split("\n")) {
            StringBuilder line = new StringBuilder();
            for (String word : paragraph.split(" ")) {
                if (!line.isEmpty() && line.length() + 1 + word.length() > 100) {
                    wrapped.append(line).append('\n');
                    line.setLength(0);
                }
                line.append(line.isEmpty() ? "" : " ").append(word);
            }
            wrapped.append(line).append('\n');
        }
        return wrapped.toString();
    }

    private static ObjectNode messageRefs(String topic) {
        ObjectNode refs = JsonNodeFactory.instance.objectNode();
        typesOn(topic)
                .forEach(type -> versions(type)
                        .forEach(version -> refs.putObject(messageId(type, version))
                                .put("$ref", "#/components/messages/" + messageId(type, version))));
        return refs;
    }

    private static String messageRef(String topic, EventType type, int version) {
        return "#/channels/" + topic + "/messages/" + messageId(type, version);
    }

    private static int catalogueVersion() {
        return Arrays.stream(EventType.values())
                .mapToInt(EventType::schemaVersion)
                .sum();
    }
}
