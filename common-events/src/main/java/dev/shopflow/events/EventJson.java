package dev.shopflow.events;

import java.util.Set;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads and writes event payloads as JSON. Thread-safe; create one and share it.
 *
 * <p>Reading is tolerant of fields it does not know (a newer producer may add optional ones) and strict about
 * everything else: a missing required field, a wrong type or an unknown type name or version is an {@link
 * EventDecodingException}.
 */
public final class EventJson {

    private final JsonMapper mapper = JsonMapper.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    public String write(DomainEvent event) {
        return mapper.writeValueAsString(event);
    }

    /**
     * Decodes a payload given the type name and schema version that travelled with it.
     *
     * @throws EventDecodingException if this build does not know the type or version, or the payload is malformed
     */
    public DomainEvent read(String typeName, int schemaVersion, String json) {
        EventType type = EventType.byName(typeName)
                .orElseThrow(() -> new EventDecodingException("Unknown event type '" + typeName + "'"));
        if (!type.readVersions().contains(schemaVersion)) {
            throw new EventDecodingException("Unsupported schema version " + schemaVersion + " of " + typeName
                    + " (this build reads " + versions(type.readVersions()) + ")");
        }
        try {
            return mapper.readValue(json, type.javaType());
        } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
            throw new EventDecodingException("Malformed " + typeName + " payload: " + e.getMessage(), e);
        }
    }

    private static String versions(Set<Integer> versions) {
        return (versions.size() == 1 ? "version " : "versions ")
                + versions.stream().sorted().map(String::valueOf).collect(Collectors.joining(", "));
    }
}
