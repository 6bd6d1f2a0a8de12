package dev.shopflow.order;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shopflow.events.EventType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The event catalogue of {@code common-events} ({@code META-INF/resources/events} in its jar) is served by the
 * service as static resources, open to all, as every service with that jar serves it.
 */
class EventCatalogueServedTests extends IntegrationTest {

    @Test
    void servesTheAsyncApiDocumentOfCommonEvents() throws IOException {
        HttpApi.Response response = api.get("/events/asyncapi.yaml");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.raw().body()).startsWith("asyncapi: 3.0.0").isEqualTo(inJar("asyncapi.yaml"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EventType.class)
    void servesTheSchemaOfEveryEventTypesCurrentVersion(EventType type) {
        HttpApi.Response response =
                api.get("/events/schemas/" + type.typeName() + ".v" + type.schemaVersion() + ".json");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(response.json().get("title").asString()).isEqualTo(type.typeName());
    }

    private static String inJar(String file) throws IOException {
        try (InputStream in = EventType.class.getResourceAsStream("/META-INF/resources/events/" + file)) {
            assertThat(in).as(file + " in the common-events jar").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
