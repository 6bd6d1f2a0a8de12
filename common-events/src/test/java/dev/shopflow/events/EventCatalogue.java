package dev.shopflow.events;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Generates the event catalogue from {@link EventType} and the event records: one JSON Schema per event type and
 * schema version ({@link EventSchemas}), and an AsyncAPI 3.0 document of the topics, keys, headers, messages and each
 * service's operations ({@link AsyncApiDocument}). The files live in {@code src/main/resources/}{@value #RESOURCES},
 * so they are in the jar and every service serves them as static resources under {@code /events/}. This class names
 * the files and what they describe.
 *
 * <p>The schemas are draft-07, of which AsyncAPI's own schema format is a superset: a message's payload refers to
 * its schema file directly, and AsyncAPI tools (the parser, the CLI's model generators) read it as their own. A
 * newer draft would need a multi-format payload, which the model generators do not read.
 *
 * <p>Only {@link EventServices#SERVICES} is written by hand: which service publishes and reads which topic lives in
 * the services' listeners, which this module cannot see.
 */
final class EventCatalogue {

    /** Where the catalogue sits on the class path (and under {@code src/main/resources}). */
    static final String RESOURCES = "META-INF/resources/events";

    static final String ASYNCAPI = "asyncapi.yaml";

    /** The one command that writes the files of new schema versions and the AsyncAPI document. */
    static final String WRITE_COMMAND =
            "./mvnw -pl common-events test -Dtest=EventCatalogueTests -Devents.catalogue.write=true";

    private final EventSchemas schemas = new EventSchemas();

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

    static Stream<EventType> typesOn(String topic) {
        return Arrays.stream(EventType.values()).filter(type -> type.topic().equals(topic));
    }

    /** The schema file of the payload this build writes for the type, that is of its current schema version. */
    String schemaText(EventType type) {
        return schemas.schemaText(type);
    }

    String asyncApiText() {
        return AsyncApiDocument.text();
    }
}
