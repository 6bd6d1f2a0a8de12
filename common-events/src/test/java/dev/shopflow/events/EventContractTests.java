package dev.shopflow.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Golden-JSON contract tests: each event's wire form is checked in under {@code golden/}. A change that alters
 * the wire form fails here, so producers and consumers cannot drift apart silently.
 */
class EventContractTests {

    private final EventJson json = new EventJson();
    private final JsonMapper plain = JsonMapper.builder().build();

    @Nested
    class GoldenFiles {

        @ParameterizedTest(name = "{0} is written exactly as its golden file")
        @EnumSource(EventType.class)
        void writesGoldenForm(EventType type) {
            JsonNode written = plain.readTree(json.write(SampleEvents.of(type)));

            assertThat(written).isEqualTo(plain.readTree(golden(type)));
        }

        @ParameterizedTest(name = "{0} golden file reads back to the sample")
        @EnumSource(EventType.class)
        void readsGoldenForm(EventType type) {
            DomainEvent read = json.read(type.typeName(), type.schemaVersion(), golden(type));

            assertThat(read).isEqualTo(SampleEvents.of(type));
        }

        @ParameterizedTest(name = "{0} is routed by its own type")
        @EnumSource(EventType.class)
        void typeOfSampleIsItsOwnType(EventType type) {
            DomainEvent sample = SampleEvents.of(type);

            assertThat(EventType.of(sample)).isEqualTo(type);
            assertThat(type.javaType()).isEqualTo(sample.getClass());
        }
    }

    @Nested
    class Reading {

        @Test
        void toleratesFieldsItDoesNotKnow() {
            String withExtra = golden(EventType.ORDER_CONFIRMED).replaceFirst("\\{", "{\"giftWrap\":true,");

            assertThat(json.read("OrderConfirmed", 1, withExtra)).isEqualTo(SampleEvents.of(EventType.ORDER_CONFIRMED));
        }

        @Test
        void rejectsUnknownType() {
            assertThatThrownBy(() -> json.read("OrderShipped", 1, "{}"))
                    .isInstanceOf(EventDecodingException.class)
                    .hasMessageContaining("Unknown event type 'OrderShipped'");
        }

        @Test
        void rejectsSchemaVersionItDoesNotRead() {
            assertThatThrownBy(() -> json.read("OrderPlaced", 2, golden(EventType.ORDER_PLACED)))
                    .isInstanceOf(EventDecodingException.class)
                    .hasMessageContaining("Unsupported schema version 2 of OrderPlaced");
        }

        @ParameterizedTest(name = "rejects {0}")
        @ValueSource(
                strings = {
                    "not json",
                    "{}",
                    "[]",
                    "{\"eventId\":\"0b5e6a8e-3c1f-4b7a-9d2e-5f6a7b8c9d01\"}",
                    "{\"eventId\":\"nope\",\"orderId\":\"6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e\","
                            + "\"occurredAt\":\"2026-11-23T10:15:30Z\",\"lines\":[{\"productId\":\"A\",\"quantity\":1}]}",
                    "{\"eventId\":\"0b5e6a8e-3c1f-4b7a-9d2e-5f6a7b8c9d01\",\"orderId\":\"6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e\","
                            + "\"occurredAt\":\"2026-11-23T10:15:30Z\",\"lines\":[]}",
                    "{\"eventId\":\"0b5e6a8e-3c1f-4b7a-9d2e-5f6a7b8c9d01\",\"orderId\":\"6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e\","
                            + "\"occurredAt\":\"2026-11-23T10:15:30Z\",\"lines\":[{\"productId\":\"A\",\"quantity\":1.5}]}"
                })
        void rejectsMalformedPayload(String payload) {
            assertThatThrownBy(() -> json.read("StockReserved", 1, payload))
                    .isInstanceOf(EventDecodingException.class)
                    .hasMessageStartingWith("Malformed StockReserved payload");
        }
    }

    private static String golden(EventType type) {
        String path = "/golden/" + type.typeName() + ".v" + type.schemaVersion() + ".json";
        try (InputStream in = EventContractTests.class.getResourceAsStream(path)) {
            assertThat(in).as("golden file %s", path).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
