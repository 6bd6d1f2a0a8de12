package dev.shopflow.events;

import static dev.shopflow.events.EventCatalogue.ASYNCAPI;
import static dev.shopflow.events.EventCatalogue.WRITE_COMMAND;
import static dev.shopflow.events.EventCatalogue.schemaFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The event catalogue ({@link EventCatalogue}): its committed files are what the records generate, a record that
 * changes its wire shape needs a new schema version, every version the decoder claims to read has a golden file it
 * reads, and every schema describes the real wire format (the golden files validate, what {@link EventJson} writes
 * has no field a schema lacks, and every constraint a schema states is one the decoder enforces).
 *
 * <p>With {@code -Devents.catalogue.write=true} ({@link EventCatalogue#WRITE_COMMAND}) it writes the schema of each
 * new version and the AsyncAPI document instead of failing; it never changes a committed schema.
 */
class EventCatalogueTests {

    private static final boolean WRITE = Boolean.getBoolean("events.catalogue.write");
    private static final Pattern SCHEMA_NAME = Pattern.compile("([A-Za-z]+)\\.v([1-9][0-9]*)\\.json");

    private static final JsonMapper PLAIN = JsonMapper.builder().build();
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_7,
            registry -> registry.schemaRegistryConfig(
                    SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

    private final EventCatalogue catalogue = new EventCatalogue();
    private final EventJson json = new EventJson();

    @Nested
    class CommittedFiles {

        @ParameterizedTest(name = "{0}: the committed schema of its current version is what its record generates")
        @EnumSource(EventType.class)
        void currentSchemaIsWhatTheRecordGenerates(EventType type) throws IOException {
            String name = schemaFile(type, type.schemaVersion());
            Path file = EventCatalogue.sourceDirectory().resolve(name);
            String generated = catalogue.schemaText(type);
            if (Files.notExists(file)) {
                if (WRITE) {
                    Files.createDirectories(file.getParent());
                    Files.writeString(file, generated);
                    return;
                }
                fail(
                        "%s has schema version %d but no committed %s: run%n  %s%nand commit the file.",
                        type.typeName(), type.schemaVersion(), name, WRITE_COMMAND);
            }
            JsonNode committed = PLAIN.readTree(Files.readString(file));
            JsonNode expected = PLAIN.readTree(generated);
            if (!committed.equals(expected)) {
                fail(shapeChanged(type, name, differences("", committed, expected)));
            }
        }

        @Test
        void asyncApiDocumentIsWhatEventTypeGenerates() throws IOException {
            Path file = EventCatalogue.sourceDirectory().resolve(ASYNCAPI);
            String generated = catalogue.asyncApiText();
            String committed = Files.exists(file) ? Files.readString(file) : "";
            if (committed.equals(generated)) {
                return;
            }
            if (WRITE) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, generated);
                return;
            }
            fail(
                    "%s is not what EventType and the event records generate; it is written, not edited: run%n  %s%n"
                            + "and commit the result.",
                    ASYNCAPI, WRITE_COMMAND);
        }

        @Test
        void everyVersionInTheCatalogueHasItsSchemaAndNoSchemaIsOfAnUnknownTypeOrVersion() throws IOException {
            Assumptions.assumeFalse(WRITE, "the schemas are being written");
            Set<String> expected = new TreeSet<>();
            for (EventType type : EventType.values()) {
                EventCatalogue.versions(type).forEach(version -> expected.add(schemaFile(type, version)));
            }
            List<String> committed;
            try (Stream<Path> files =
                    Files.list(EventCatalogue.sourceDirectory().resolve("schemas"))) {
                committed = files.map(file -> "schemas/" + file.getFileName())
                        .sorted()
                        .toList();
            }
            assertThat(committed).containsAll(expected);
            for (String file : committed) {
                Matcher name = SCHEMA_NAME.matcher(file.substring("schemas/".length()));
                assertThat(name.matches())
                        .as("%s is named <type>.v<version>.json", file)
                        .isTrue();
                Optional<EventType> type = EventType.byName(name.group(1));
                assertThat(type).as("%s is of a known event type", file).isPresent();
                assertThat(Integer.parseInt(name.group(2)))
                        .as("%s is of a version EventType has reached", file)
                        .isLessThanOrEqualTo(type.orElseThrow().schemaVersion());
            }
        }

        @Test
        void theJarHoldsTheCatalogueWhereServicesServeIt() {
            Assumptions.assumeFalse(WRITE, "the class path holds the files of before the write");
            assertThat(classPath(ASYNCAPI)).isEqualTo(catalogue.asyncApiText());
            for (EventType type : EventType.values()) {
                for (int version : EventCatalogue.versions(type)) {
                    assertThat(PLAIN.readTree(classPath(schemaFile(type, version))))
                            .isEqualTo(PLAIN.readTree(committed(schemaFile(type, version))));
                }
            }
        }

        @Test
        void theAsyncApiDocumentNamesEveryTopicMessageAndServiceOperation() {
            JsonNode doc = YAML.readTree(catalogue.asyncApiText());

            assertThat(doc.get("asyncapi").asString()).isEqualTo("3.0.0");
            assertThat(doc.get("channels").propertyNames())
                    .containsExactly(Topics.ORDERS, "orders.dlt", Topics.STOCK, "stock.dlt");
            for (EventType type : EventType.values()) {
                JsonNode message = doc.at("/components/messages/" + type.typeName() + ".v" + type.schemaVersion());
                assertThat(message.at("/payload/$ref").asString()).isEqualTo(schemaFile(type, type.schemaVersion()));
                assertThat(message.at("/headers/properties/eventType/const").asString())
                        .isEqualTo(type.typeName());
                assertThat(message.at("/headers/properties/schemaVersion/const").asString())
                        .isEqualTo(String.valueOf(type.schemaVersion()));
                assertThat(message.at("/bindings/kafka/key/format").asString()).isEqualTo("uuid");
                assertThat(doc.at("/channels/" + type.topic() + "/messages/" + type.typeName() + ".v"
                                        + type.schemaVersion() + "/$ref")
                                .asString())
                        .isEqualTo("#/components/messages/" + type.typeName() + ".v" + type.schemaVersion());
            }
            assertThat(doc.get("operations").propertyNames())
                    .containsExactly(
                            "order-service.publishes.orders",
                            "order-service.reads.stock",
                            "stock-service.reads.orders",
                            "stock-service.publishes.stock",
                            "mail-service.reads.orders");
            doc.get("operations").forEach(operation -> {
                String channel = operation.at("/channel/$ref").asString();
                operation
                        .get("messages")
                        .forEach(ref -> assertThat(ref.get("$ref").asString()).startsWith(channel + "/messages/"));
            });
            assertThat(doc.at("/operations/stock-service.reads.orders/bindings/kafka/groupId/enum/0")
                            .asString())
                    .isEqualTo("stock-service");
            assertThat(doc.at("/channels/orders.dlt/address").asString()).isEqualTo("orders.{group}.dlt");
            assertThat(doc.at("/channels/orders.dlt/parameters/group/enum"))
                    .extracting(JsonNode::asString)
                    .containsExactly("stock-service", "mail-service");
        }
    }

    /** What a consumer built from this module reads: every version {@link EventType#readVersions()} claims. */
    @Nested
    class Consumers {

        @TestFactory
        Stream<DynamicTest> readsTheGoldenFileOfEveryVersionItClaimsAndRefusesTheOthers() {
            return Stream.of(EventType.values())
                    .flatMap(type -> IntStream.rangeClosed(0, type.schemaVersion() + 1)
                            .mapToObj(version -> type.readVersions().contains(version)
                                    ? DynamicTest.dynamicTest(
                                            type.typeName() + " v" + version + " is read from its golden file", () -> {
                                                String golden = golden(type, version)
                                                        .orElseThrow(() -> new AssertionError("EventType claims "
                                                                + type.typeName() + " v" + version
                                                                + " is read, but there is no golden/"
                                                                + goldenFile(type, version)));
                                                assertThat(json.read(type.typeName(), version, golden))
                                                        .isInstanceOf(type.javaType());
                                            })
                                    : DynamicTest.dynamicTest(
                                            type.typeName() + " v" + version + " is refused",
                                            () -> assertThatThrownBy(() -> json.read(
                                                            type.typeName(),
                                                            version,
                                                            json.write(SampleEvents.of(type))))
                                                    .isInstanceOf(EventDecodingException.class)
                                                    .hasMessageContaining("Unsupported schema version " + version))));
        }

        @TestFactory
        Stream<DynamicTest> everyGoldenFileIsValidUnderTheSchemaOfItsVersion() {
            return Stream.of(EventType.values())
                    .flatMap(type -> IntStream.rangeClosed(1, type.schemaVersion())
                            .boxed()
                            .flatMap(version -> golden(type, version).stream()
                                    .map(golden -> DynamicTest.dynamicTest(
                                            goldenFile(type, version) + " is valid under " + schemaFile(type, version),
                                            () -> assertThat(errors(schema(type, version), PLAIN.readTree(golden)))
                                                    .as(
                                                            "%s under %s",
                                                            goldenFile(type, version), schemaFile(type, version))
                                                    .isEmpty()))));
        }
    }

    /** The schemas say what the wire really carries, no more and no less. */
    @Nested
    class SchemasDescribeTheWire {

        @ParameterizedTest(name = "{0}: what EventJson writes has no property its schema does not declare")
        @EnumSource(EventType.class)
        void writtenEventsHaveNoUndeclaredProperty(EventType type) {
            JsonNode strict = closed(PLAIN.readTree(catalogue.schemaText(type)));
            JsonNode written = PLAIN.readTree(json.write(SampleEvents.of(type)));

            assertThat(errors(SCHEMAS.getSchema(strict), written)).isEmpty();
        }

        @ParameterizedTest(name = "{0}: readers ignore unknown fields, and so does its schema")
        @EnumSource(EventType.class)
        void unknownFieldsAreAllowedAsTheDecoderAllowsThem(EventType type) {
            String withExtra = json.write(SampleEvents.of(type)).replaceFirst("\\{", "{\"giftWrap\":{\"ribbon\":1},");

            assertThat(errors(schema(type, type.schemaVersion()), PLAIN.readTree(withExtra)))
                    .isEmpty();
            assertThat(json.read(type.typeName(), type.schemaVersion(), withExtra))
                    .isEqualTo(SampleEvents.of(type));
        }

        @TestFactory
        Stream<DynamicTest> everyConstraintOfASchemaIsOneTheDecoderEnforces() {
            return Stream.of(EventType.values())
                    .flatMap(type -> type.readVersions().stream().sorted().flatMap(version -> {
                        JsonNode golden = PLAIN.readTree(golden(type, version).orElseThrow());
                        Schema schema = schema(type, version);
                        List<Violation> violations = new ArrayList<>();
                        violations(schema.getSchemaNode(), JsonPointer.empty(), violations);
                        return violations.stream()
                                .filter(violation -> !golden.at(violation.at()).isMissingNode())
                                .map(violation -> {
                                    String name = type.typeName() + " v" + version + ": " + violation.what();
                                    return DynamicTest.dynamicTest(name + " is refused", () -> {
                                        JsonNode broken = violation.applyTo(golden);
                                        assertThat(errors(schema, broken))
                                                .as("%s: the schema refuses it", name)
                                                .isNotEmpty();
                                        assertThatThrownBy(() -> json.read(type.typeName(), version, broken.toString()))
                                                .as(
                                                        "%s: the schema says this is invalid, so the decoder must"
                                                                + " refuse it too (or the schema must not say it)",
                                                        name)
                                                .isInstanceOf(EventDecodingException.class);
                                    });
                                });
                    }));
        }
    }

    private static String shapeChanged(EventType type, String file, List<String> differences) {
        int current = type.schemaVersion();
        int next = current + 1;
        return String.format(
                """
                %1$s changed its wire shape: its record no longer generates the committed %2$s, and a published \
                schema version never changes.
                Give %1$s schema version %3$d in EventType (and keep reading v%4$d while such events can still be on \
                the topic: list it in EventType.readVersions and let EventJson turn a v%4$d payload into the record), \
                add golden/%1$s.v%3$d.json, then run
                  %5$s
                to write %6$s and the new %7$s.
                What changed (committed -> generated):
                  %8$s""",
                type.typeName(),
                file,
                next,
                current,
                WRITE_COMMAND,
                "schemas/" + type.typeName() + ".v" + next + ".json",
                ASYNCAPI,
                String.join("\n  ", differences));
    }

    /** Where two JSON trees differ, as JSON pointers with both values. */
    private static List<String> differences(String at, JsonNode committed, JsonNode generated) {
        List<String> differences = new ArrayList<>();
        if (committed.isObject() && generated.isObject()) {
            Set<String> names = new TreeSet<>(committed.propertyNames());
            names.addAll(generated.propertyNames());
            for (String name : names) {
                differences.addAll(differences(
                        at + "/" + name.replace("~", "~0").replace("/", "~1"),
                        committed.path(name),
                        generated.path(name)));
            }
        } else if (committed.isArray() && generated.isArray() && committed.size() == generated.size()) {
            for (int i = 0; i < committed.size(); i++) {
                differences.addAll(differences(at + "/" + i, committed.get(i), generated.get(i)));
            }
        } else if (!committed.equals(generated)) {
            differences.add((at.isEmpty() ? "/" : at) + ": " + text(committed) + " -> " + text(generated));
        }
        return differences;
    }

    private static String text(JsonNode node) {
        return node.isMissingNode() ? "(none)" : node.toString();
    }

    /** One way to break a payload that a schema refuses: a required field missing or null, a bound crossed. */
    record Violation(String what, JsonPointer at, UnaryOperator<JsonNode> change) {

        JsonNode applyTo(JsonNode golden) {
            JsonNode copy = golden.deepCopy();
            JsonNode parent = copy.at(at.head());
            String last = at.last().getMatchingProperty();
            JsonNode replacement = change.apply(copy.at(at));
            if (parent instanceof ObjectNode object) {
                if (replacement == null) {
                    object.remove(last);
                } else {
                    object.set(last, replacement);
                }
            } else {
                ((ArrayNode) parent).set(at.last().getMatchingIndex(), replacement);
            }
            return copy;
        }
    }

    /** The keywords a schema may use; any other would state something this test does not check. */
    private static final Set<String> KNOWN_KEYWORDS = Set.of(
            "$schema",
            "title",
            "description",
            "type",
            "properties",
            "required",
            "items",
            "minItems",
            "pattern",
            "minimum",
            "format");

    private static void violations(JsonNode schema, JsonPointer at, List<Violation> violations) {
        String where = at.toString().isEmpty() ? "the payload" : at.toString();
        for (String keyword : schema.propertyNames()) {
            assertThat(KNOWN_KEYWORDS)
                    .as("keyword %s at %s: teach EventCatalogueTests how to break it", keyword, where)
                    .contains(keyword);
        }
        Set<String> required = new HashSet<>();
        schema.path("required").forEach(name -> required.add(name.asString()));
        for (Map.Entry<String, JsonNode> property : schema.path("properties").properties()) {
            JsonPointer child = at.appendProperty(property.getKey());
            if (required.contains(property.getKey())) {
                violations.add(new Violation("without " + child, child, value -> null));
                violations.add(new Violation(child + " null", child, value -> JsonNodeFactory.instance.nullNode()));
            }
            violations(property.getValue(), child, violations);
        }
        if (schema.has("items")) {
            int minItems = schema.path("minItems").asInt(0);
            if (minItems > 0) {
                violations.add(new Violation(where + " with " + (minItems - 1) + " items", at, value -> {
                    ArrayNode fewer = JsonNodeFactory.instance.arrayNode();
                    for (int i = 0; i < minItems - 1 && i < value.size(); i++) {
                        fewer.add(value.get(i));
                    }
                    return fewer;
                }));
            }
            violations(schema.get("items"), at.appendIndex(0), violations);
        }
        if (schema.has("pattern")) {
            assertThat(schema.get("pattern").asString()).isEqualTo(EventSchemaGenerator.NON_BLANK);
            violations.add(new Violation(where + " blank", at, value -> JsonNodeFactory.instance.stringNode(" \t")));
        }
        if (schema.has("minimum")) {
            BigDecimal minimum = schema.get("minimum").decimalValue();
            BigDecimal below = schema.path("type").asString().equals("integer")
                    ? minimum.subtract(BigDecimal.ONE)
                    : minimum.subtract(new BigDecimal("0.01"));
            violations.add(new Violation(
                    where + " = " + below.toPlainString() + ", below " + minimum.toPlainString(),
                    at,
                    value -> JsonNodeFactory.instance.numberNode(below)));
        }
        if (schema.has("format")) {
            String malformed = switch (schema.get("format").asString()) {
                case "uuid" -> "6f1c2d3e-4a5b-4c6d-8e7f";
                case "date-time" -> "2026-11-23 10:15:30";
                default ->
                    throw new AssertionError("format " + schema.get("format") + " at " + where
                            + ": teach EventCatalogueTests how to break it");
            };
            violations.add(new Violation(
                    where + " not a " + schema.get("format").asString(),
                    at,
                    value -> JsonNodeFactory.instance.stringNode(malformed)));
        }
    }

    /** The schema with additionalProperties false on every object: what the writer writes, exactly. */
    private static JsonNode closed(JsonNode schema) {
        if (schema instanceof ObjectNode object) {
            if (object.has("properties")) {
                object.put("additionalProperties", false);
            }
            for (Iterator<JsonNode> children = object.values().iterator(); children.hasNext(); ) {
                closed(children.next());
            }
        } else if (schema instanceof ArrayNode array) {
            array.forEach(EventCatalogueTests::closed);
        }
        return schema;
    }

    private static List<String> errors(Schema schema, JsonNode instance) {
        return schema.validate(instance).stream().map(Error::toString).toList();
    }

    private static Schema schema(EventType type, int version) {
        return SCHEMAS.getSchema(PLAIN.readTree(committed(schemaFile(type, version))));
    }

    private static String committed(String file) {
        try {
            return Files.readString(EventCatalogue.sourceDirectory().resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String classPath(String file) {
        return resource("/" + EventCatalogue.RESOURCES + "/" + file)
                .orElseThrow(() -> new AssertionError(file + " is not on the class path"));
    }

    private static String goldenFile(EventType type, int version) {
        return type.typeName() + ".v" + version + ".json";
    }

    private static Optional<String> golden(EventType type, int version) {
        return resource("/golden/" + goldenFile(type, version));
    }

    private static Optional<String> resource(String path) {
        try (InputStream in = EventCatalogueTests.class.getResourceAsStream(path)) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
