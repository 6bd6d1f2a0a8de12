package dev.shopflow.events;

import com.github.victools.jsonschema.generator.FieldScope;
import com.github.victools.jsonschema.generator.MemberScope;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfig;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonSchemaModule;
import java.lang.reflect.ParameterizedType;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * Generates the event catalogue from {@link EventType} and the event records: one JSON Schema per event type and
 * schema version, and an AsyncAPI 3.0 document of the topics, keys, headers, messages and each service's
 * operations. The files live in {@code src/main/resources/}{@value #RESOURCES}, so they are in the jar and every
 * service serves them as static resources under {@code /events/}.
 *
 * <p>The schemas are draft-07, of which AsyncAPI's own schema format is a superset: a message's payload refers to
 * its schema file directly, and AsyncAPI tools (the parser, the CLI's model generators) read it as their own. A
 * newer draft would need a multi-format payload, which the model generators do not read.
 *
 * <p>A schema states what {@link EventJson} writes: every record component is required and never null, UUIDs and
 * instants are strings, decimals plain JSON numbers; further properties are allowed, because readers ignore
 * fields they do not know. The invariants the records check in their constructors are stated too ({@link
 * #MINIMUMS}, non-blank text, non-empty lists); {@code EventCatalogueTests} proves the decoder refuses each
 * violation.
 *
 * <p>Only {@link #SERVICES} is written by hand here: which service publishes and reads which topic lives in the
 * services' listeners, which this module cannot see.
 */
final class EventCatalogue {

    /** Where the catalogue sits on the class path (and under {@code src/main/resources}). */
    static final String RESOURCES = "META-INF/resources/events";

    static final String ASYNCAPI = "asyncapi.yaml";

    /** The one command that writes the files of new schema versions and the AsyncAPI document. */
    static final String WRITE_COMMAND =
            "./mvnw -pl common-events test -Dtest=EventCatalogueTests -Devents.catalogue.write=true";

    static final String SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#";

    /**
     * Numeric lower bounds the records enforce (class simple name and component), beyond what the types say. Every
     * other component is unbounded.
     */
    static final Map<String, BigDecimal> MINIMUMS = Map.of(
            "OrderLine.quantity", BigDecimal.ONE,
            "OrderLine.unitPrice", BigDecimal.ZERO,
            "ReservedLine.quantity", BigDecimal.ONE,
            "ShortLine.requested", BigDecimal.ONE);

    /** Non-blank: at least one character that is not white space (every text field of every event). */
    static final String NON_BLANK = "\\S";

    /** Who publishes and who reads which topic, as docs/consumers.md's table "Services, groups and ..." says. */
    static final List<Service> SERVICES = List.of(
            new Service(
                    "order-service",
                    Set.of(Topics.ORDERS),
                    Map.of(
                            Topics.STOCK,
                            "Settles the order: PENDING becomes CONFIRMED (StockReserved) or REJECTED (StockRejected),"
                                    + " once per event id (processed_events).")),
            new Service(
                    "stock-service",
                    Set.of(Topics.STOCK),
                    Map.of(
                            Topics.ORDERS,
                            "Reserves stock for an OrderPlaced, every line or none, once per event id"
                                    + " (processed_events), and answers on stock; decodes and skips OrderConfirmed"
                                    + " and OrderRejected.")),
            new Service(
                    "mail-service",
                    Set.of(),
                    Map.of(
                            Topics.ORDERS,
                            "Mails the customer: order received (OrderPlaced), confirmed (OrderConfirmed) or could"
                                    + " not be fulfilled (OrderRejected), once per event id (mail_log); a crash between"
                                    + " the SMTP server's acceptance and the commit mails again, with the same"
                                    + " Message-ID.")));

    /**
     * A service, whose consumer group has its name.
     *
     * @param reads each topic it reads, and what it does with the events
     */
    record Service(String name, Set<String> publishes, Map<String, String> reads) {}

    private static final String KAFKA_BINDING_VERSION = "0.5.0";

    private static final ObjectWriter JSON = JsonMapper.builder()
            .build()
            .writer()
            .with(new DefaultPrettyPrinter(
                            Separators.createDefaultInstance().withObjectNameValueSpacing(Separators.Spacing.AFTER))
                    .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                    .withArrayIndenter(new DefaultIndenter("  ", "\n")));

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER, YAMLWriteFeature.SPLIT_LINES)
            .enable(
                    YAMLWriteFeature.MINIMIZE_QUOTES,
                    YAMLWriteFeature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS,
                    YAMLWriteFeature.LITERAL_BLOCK_STYLE,
                    YAMLWriteFeature.INDENT_ARRAYS_WITH_INDICATOR)
            .build();

    /** The order of a schema's keywords in the files: what it is first, then its parts. */
    private static final List<String> KEYWORD_ORDER = List.of(
            "$schema",
            "title",
            "description",
            "type",
            "format",
            "pattern",
            "minimum",
            "minItems",
            "items",
            "properties",
            "required");

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final SchemaGenerator generator = new SchemaGenerator(config());

    /** The file of a type's schema for one version, relative to {@link #RESOURCES}. */
    static String schemaFile(EventType type, int version) {
        return "schemas/" + type.typeName() + ".v" + version + ".json";
    }

    static Path sourceDirectory() {
        return Path.of(System.getProperty("basedir", "."), "src", "main", "resources")
                .resolve(RESOURCES);
    }

    /** The versions the catalogue describes: what this build writes and every version it reads. */
    static SortedSet<Integer> versions(EventType type) {
        SortedSet<Integer> versions = new TreeSet<>(type.readVersions());
        versions.add(type.schemaVersion());
        return versions;
    }

    /** The schema of the payload this build writes for the type, that is of its current schema version. */
    ObjectNode schema(EventType type) {
        ObjectNode generated = generator.generateSchema(type.javaType());
        ObjectNode schema = NODES.objectNode();
        schema.put("$schema", SCHEMA_DIALECT);
        schema.put("title", type.typeName());
        schema.put(
                "description",
                "The JSON value of a Kafka record on topic " + type.topic() + " with headers eventType "
                        + type.typeName() + " and schemaVersion " + type.schemaVersion() + ".");
        generated.properties().stream()
                .filter(field -> !field.getKey().equals("$schema"))
                .forEach(field -> schema.set(field.getKey(), field.getValue()));
        return schema;
    }

    String schemaText(EventType type) {
        return JSON.writeValueAsString(inKeywordOrder(schema(type))) + "\n";
    }

    String asyncApiText() {
        return YAML.writeValueAsString(asyncApi());
    }

    ObjectNode asyncApi() {
        ObjectNode doc = NODES.objectNode();
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

        ObjectNode channels = doc.putObject("channels");
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

        ObjectNode operations = doc.putObject("operations");
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

        ObjectNode messages = doc.putObject("components").putObject("messages");
        for (EventType type : EventType.values()) {
            for (int version : versions(type)) {
                messages.set(messageId(type, version), message(type, version));
            }
        }
        return doc;
    }

    private ObjectNode message(EventType type, int version) {
        ObjectNode message = NODES.objectNode();
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

        message.putObject("payload").put("$ref", schemaFile(type, version));

        ObjectNode kafka = message.putObject("bindings").putObject("kafka");
        ObjectNode key = kafka.putObject("key");
        key.put("type", "string");
        key.put("format", "uuid");
        key.put("description", "The order id (UTF-8 text), the payload's orderId.");
        kafka.put("bindingVersion", KAFKA_BINDING_VERSION);
        return message;
    }

    /** The schema with each object's keywords in {@link #KEYWORD_ORDER}; property names keep their order. */
    private static JsonNode inKeywordOrder(JsonNode node) {
        if (node instanceof ArrayNode array) {
            ArrayNode ordered = NODES.arrayNode();
            array.forEach(item -> ordered.add(inKeywordOrder(item)));
            return ordered;
        }
        if (!(node instanceof ObjectNode object)) {
            return node;
        }
        boolean isSchema = object.has("type") || object.has("$schema");
        ObjectNode ordered = NODES.objectNode();
        object.properties().stream()
                .sorted(Comparator.comparingInt(field -> isSchema ? keywordRank(field.getKey()) : 0))
                .forEach(field -> ordered.set(field.getKey(), inKeywordOrder(field.getValue())));
        return ordered;
    }

    private static int keywordRank(String keyword) {
        int rank = KEYWORD_ORDER.indexOf(keyword);
        return rank < 0 ? KEYWORD_ORDER.size() : rank;
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
        ObjectNode refs = NODES.objectNode();
        typesOn(topic)
                .forEach(type -> versions(type)
                        .forEach(version -> refs.putObject(messageId(type, version))
                                .put("$ref", "#/components/messages/" + messageId(type, version))));
        return refs;
    }

    private static String messageRef(String topic, EventType type, int version) {
        return "#/channels/" + topic + "/messages/" + messageId(type, version);
    }

    static String messageId(EventType type, int version) {
        return type.typeName() + ".v" + version;
    }

    static String deadLetterChannel(String topic) {
        return topic + ".dlt";
    }

    static List<String> topics() {
        return Arrays.stream(EventType.values())
                .map(EventType::topic)
                .distinct()
                .toList();
    }

    private static Stream<EventType> typesOn(String topic) {
        return Arrays.stream(EventType.values()).filter(type -> type.topic().equals(topic));
    }

    private static List<Service> publishersOf(String topic) {
        return SERVICES.stream()
                .filter(service -> service.publishes().contains(topic))
                .toList();
    }

    private static List<Service> readersOf(String topic) {
        return SERVICES.stream()
                .filter(service -> service.reads().containsKey(topic))
                .toList();
    }

    private static String names(Collection<Service> services) {
        return services.isEmpty()
                ? "no service"
                : services.stream().map(Service::name).collect(Collectors.joining(" and "));
    }

    private static int catalogueVersion() {
        return Arrays.stream(EventType.values())
                .mapToInt(EventType::schemaVersion)
                .sum();
    }

    private static SchemaGeneratorConfig config() {
        SchemaGeneratorConfigBuilder builder = new SchemaGeneratorConfigBuilder(
                        SchemaVersion.DRAFT_7, OptionPreset.PLAIN_JSON)
                .with(new JacksonSchemaModule())
                .with(Option.STANDARD_FORMATS, Option.INLINE_ALL_SCHEMAS);
        builder.forTypesInGeneral()
                .withPropertySorter(Comparator.comparingInt(EventCatalogue::componentIndex))
                .withTitleResolver(scope -> isNestedRecord(scope.getType().getErasedType())
                        ? scope.getType().getErasedType().getSimpleName()
                        : null);
        builder.forFields()
                .withRequiredCheck(field -> true)
                .withStringPatternResolver(field -> is(field, String.class) ? NON_BLANK : null)
                .withArrayMinItemsResolver(field -> is(field, List.class) ? 1 : null)
                .withNumberInclusiveMinimumResolver(field -> MINIMUMS.get(componentName(field)));
        refuseMisspeltMinimums();
        return builder.build();
    }

    private static boolean is(FieldScope field, Class<?> type) {
        return !field.isFakeContainerItemScope()
                && type.isAssignableFrom(field.getType().getErasedType());
    }

    private static String componentName(FieldScope field) {
        return field.getDeclaringType().getErasedType().getSimpleName() + "." + field.getDeclaredName();
    }

    private static boolean isNestedRecord(Class<?> type) {
        return type.isRecord() && !DomainEvent.class.isAssignableFrom(type);
    }

    /** Properties in the order of the record's components, as {@link EventJson} writes them. */
    private static int componentIndex(MemberScope<?, ?> member) {
        var components = member.getDeclaringType().getErasedType().getRecordComponents();
        for (int i = 0; components != null && i < components.length; i++) {
            if (components[i].getName().equals(member.getDeclaredName())) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }

    /** A misspelt entry in {@link #MINIMUMS} would silently drop a bound: refuse it. */
    private static void refuseMisspeltMinimums() {
        Set<String> components = Stream.of(EventType.values())
                .map(EventType::javaType)
                .flatMap(EventCatalogue::recordsIn)
                .flatMap(record -> Stream.of(record.getRecordComponents())
                        .map(component -> record.getSimpleName() + "." + component.getName()))
                .collect(Collectors.toSet());
        MINIMUMS.keySet().stream()
                .filter(name -> !components.contains(name))
                .findAny()
                .ifPresent(name -> {
                    throw new IllegalStateException("MINIMUMS names " + name + ", which no event record has");
                });
    }

    private static Stream<Class<?>> recordsIn(Class<?> record) {
        return Stream.concat(
                Stream.of(record),
                Stream.of(record.getRecordComponents())
                        .map(component -> component.getGenericType())
                        .map(type -> type instanceof ParameterizedType list ? list.getActualTypeArguments()[0] : type)
                        .filter(type -> type instanceof Class<?> c && c.isRecord())
                        .flatMap(type -> recordsIn((Class<?>) type)));
    }
}
