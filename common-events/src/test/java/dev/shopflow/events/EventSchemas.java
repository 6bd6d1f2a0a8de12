package dev.shopflow.events;

import com.github.victools.jsonschema.generator.SchemaGenerator;
import java.util.Comparator;
import java.util.List;
import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON Schema (draft-07) of each event type's payload, as its catalogue file holds it: generated from the record
 * by {@link EventSchemaGenerator}, titled and described, with the keywords in a fixed order.
 */
final class EventSchemas {

    static final String SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#";

    private static final ObjectWriter JSON = JsonMapper.builder()
            .build()
            .writer()
            .with(new DefaultPrettyPrinter(
                            Separators.createDefaultInstance().withObjectNameValueSpacing(Separators.Spacing.AFTER))
                    .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                    .withArrayIndenter(new DefaultIndenter("  ", "\n")));

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

    private final SchemaGenerator generator = EventSchemaGenerator.create();

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
}
