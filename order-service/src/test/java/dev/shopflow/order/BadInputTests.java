package dev.shopflow.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** Every client mistake is a 4xx problem+json that names what is wrong, and nothing is written. */
class BadInputTests extends IntegrationTest {

    @AfterEach
    void nothingWasWritten() {
        assertThat(count("orders")).isZero();
        assertThat(count("order_lines")).isZero();
        assertThat(count("idempotency_keys")).isZero();
        assertThat(count("outbox")).isZero();
    }

    static String order(String customerId, String email, String lines) {
        return """
                {"customerId": %s, "customerEmail": %s, "lines": %s}""".formatted(customerId, email, lines);
    }

    static String line(String productId, String quantity, String unitPrice) {
        return """
                {"productId": %s, "quantity": %s, "unitPrice": %s}""".formatted(productId, quantity, unitPrice);
    }

    static String withLine(String line) {
        return order("\"c-1\"", "\"ada@example.com\"", "[" + line + "]");
    }

    static String lines(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> line("\"SKU-" + i + "\"", "1", "1.00"))
                .collect(Collectors.joining(",", "[", "]"));
    }

    static final String OK_LINE = line("\"SKU-1\"", "1", "1.00");

    static Stream<Arguments> invalidFields() {
        return Stream.of(
                arguments(
                        named(
                                "missing customerId",
                                "{\"customerEmail\":\"a@example.com\",\"lines\":[" + OK_LINE + "]}"),
                        "customerId"),
                arguments(
                        named("blank customerId", order("\"  \"", "\"a@example.com\"", "[" + OK_LINE + "]")),
                        "customerId"),
                arguments(
                        named(
                                "customerId too long",
                                order("\"" + "c".repeat(65) + "\"", "\"a@example.com\"", "[" + OK_LINE + "]")),
                        "customerId"),
                arguments(
                        named("customerId of wrong type", order("{}", "\"a@example.com\"", "[" + OK_LINE + "]")),
                        "customerId"),
                arguments(
                        named("NUL in customerId", order("\"c\\u0000-1\"", "\"a@example.com\"", "[" + OK_LINE + "]")),
                        "customerId"),
                arguments(
                        named("newline in customerId", order("\"c\\n1\"", "\"a@example.com\"", "[" + OK_LINE + "]")),
                        "customerId"),
                arguments(
                        named(
                                "unpaired surrogate in customerId",
                                order("\"c\\ud800\"", "\"a@example.com\"", "[" + OK_LINE + "]")),
                        "customerId"),
                arguments(
                        named(
                                "duplicate customerId key",
                                "{\"customerId\":\"c-1\",\"customerId\":\"c-2\",\"customerEmail\":\"a@example.com\","
                                        + "\"lines\":[" + OK_LINE + "]}"),
                        "customerId"),
                arguments(
                        named(
                                "duplicate key in a line",
                                withLine("{\"productId\":\"SKU-1\",\"quantity\":1,\"quantity\":2,\"unitPrice\":1.00}")),
                        "lines[0].quantity"),
                arguments(
                        named("missing email", "{\"customerId\":\"c-1\",\"lines\":[" + OK_LINE + "]}"),
                        "customerEmail"),
                arguments(named("blank email", order("\"c-1\"", "\"\"", "[" + OK_LINE + "]")), "customerEmail"),
                arguments(
                        named("email without @", order("\"c-1\"", "\"ada.example.com\"", "[" + OK_LINE + "]")),
                        "customerEmail"),
                arguments(
                        named("email without domain", order("\"c-1\"", "\"ada@\"", "[" + OK_LINE + "]")),
                        "customerEmail"),
                arguments(
                        named(
                                "email without top-level domain",
                                order("\"c-1\"", "\"ada@example\"", "[" + OK_LINE + "]")),
                        "customerEmail"),
                arguments(
                        named("NUL in email", order("\"c-1\"", "\"ada\\u0000@example.com\"", "[" + OK_LINE + "]")),
                        "customerEmail"),
                arguments(
                        named("tab in email", order("\"c-1\"", "\"ada\\t@example.com\"", "[" + OK_LINE + "]")),
                        "customerEmail"),
                arguments(
                        named("missing lines", "{\"customerId\":\"c-1\",\"customerEmail\":\"a@example.com\"}"),
                        "lines"),
                arguments(named("null lines", order("\"c-1\"", "\"a@example.com\"", "null")), "lines"),
                arguments(named("no lines", order("\"c-1\"", "\"a@example.com\"", "[]")), "lines"),
                arguments(named("51 lines", order("\"c-1\"", "\"a@example.com\"", lines(51))), "lines"),
                arguments(named("lines not an array", order("\"c-1\"", "\"a@example.com\"", "\"SKU-1\"")), "lines"),
                arguments(named("null line", withLine("null")), "lines[0]"),
                arguments(
                        named("missing productId", withLine("{\"quantity\":1,\"unitPrice\":1.00}")),
                        "lines[0].productId"),
                arguments(named("blank productId", withLine(line("\" \"", "1", "1.00"))), "lines[0].productId"),
                arguments(
                        named("productId with spaces", withLine(line("\"SKU 1\"", "1", "1.00"))), "lines[0].productId"),
                arguments(
                        named("missing quantity", withLine("{\"productId\":\"SKU-1\",\"unitPrice\":1.00}")),
                        "lines[0].quantity"),
                arguments(named("zero quantity", withLine(line("\"SKU-1\"", "0", "1.00"))), "lines[0].quantity"),
                arguments(named("negative quantity", withLine(line("\"SKU-1\"", "-3", "1.00"))), "lines[0].quantity"),
                arguments(named("absurd quantity", withLine(line("\"SKU-1\"", "1001", "1.00"))), "lines[0].quantity"),
                arguments(
                        named("quantity beyond int range", withLine(line("\"SKU-1\"", "2147483648", "1.00"))),
                        "lines[0].quantity"),
                arguments(
                        named("fractional quantity", withLine(line("\"SKU-1\"", "2.5", "1.00"))), "lines[0].quantity"),
                arguments(
                        named("quantity as text", withLine(line("\"SKU-1\"", "\"two\"", "1.00"))), "lines[0].quantity"),
                arguments(
                        named("quantity as numeric string", withLine(line("\"SKU-1\"", "\"2\"", "1.00"))),
                        "lines[0].quantity"),
                arguments(
                        named("missing unitPrice", withLine("{\"productId\":\"SKU-1\",\"quantity\":1}")),
                        "lines[0].unitPrice"),
                arguments(named("negative unitPrice", withLine(line("\"SKU-1\"", "1", "-0.01"))), "lines[0].unitPrice"),
                arguments(
                        named("unitPrice with 3 decimals", withLine(line("\"SKU-1\"", "1", "1.999"))),
                        "lines[0].unitPrice"),
                arguments(
                        named("absurd unitPrice", withLine(line("\"SKU-1\"", "1", "10000000.00"))),
                        "lines[0].unitPrice"),
                arguments(
                        named("unitPrice as text", withLine(line("\"SKU-1\"", "1", "\"cheap\""))),
                        "lines[0].unitPrice"),
                arguments(
                        named(
                                "duplicate product",
                                order("\"c-1\"", "\"a@example.com\"", "[" + OK_LINE + "," + OK_LINE + "]")),
                        "lines[1].productId"),
                arguments(
                        named(
                                "unknown field",
                                withLine("{\"productId\":\"SKU-1\",\"quantitty\":1,\"unitPrice\":1.00}")),
                        "lines[0].quantitty"),
                arguments(
                        named(
                                "client-supplied total",
                                "{\"customerId\":\"c-1\",\"customerEmail\":\"a@example.com\",\"total\":0,\"lines\":["
                                        + OK_LINE + "]}"),
                        "total"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFields")
    void rejectsInvalidFieldNamingIt(String body, String field) {
        HttpApi.Response response = api.postOrder(body);

        assertProblem(response, 400);
        JsonNode errors = response.json().get("errors");
        assertThat(errors).as("errors of %s", response.raw().body()).isNotNull();
        assertThat(errors.valueStream().map(e -> e.get("field").asString())).contains(field);
        assertThat(errors.valueStream().map(e -> e.get("message").asString())).allMatch(m -> !m.isBlank());
    }

    static Stream<Arguments> malformedBodies() {
        return Stream.of(
                arguments(named("truncated JSON", "{\"customerId\": ")),
                arguments(named("not JSON at all", "customerId=c-1")),
                arguments(named("empty body", "")),
                arguments(named("array instead of object", "[]")),
                arguments(named("JSON null", "null")),
                arguments(named("trailing garbage inside", "{\"customerId\": tru}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedBodies")
    void rejectsMalformedBody(String body) {
        HttpApi.Response response = api.postOrder(body);

        assertProblem(response, 400);
        assertThat(response.json().get("detail").asString()).isNotBlank();
    }

    @Nested
    class IdempotencyKeyHeader {

        @Test
        void rejectsOverlongKey() {
            HttpApi.Response response = api.postOrder(VALID_ORDER, "Idempotency-Key", "k".repeat(256));

            assertProblem(response, 400);
            assertThat(response.json().get("errors").get(0).get("field").asString())
                    .isEqualTo("Idempotency-Key");
        }

        @Test
        void rejectsKeyWithSpaces() {
            HttpApi.Response response = api.postOrder(VALID_ORDER, "Idempotency-Key", "my key");

            assertProblem(response, 400);
        }
    }

    @Nested
    class Protocol {

        @Test
        void oversizedBodyIsContentTooLarge() {
            String padded = VALID_ORDER.replace("\"customer-42\"", "\"customer-42\"" + " ".repeat(70_000));

            assertProblem(api.postOrder(padded), 413);
        }

        @Test
        void oversizedChunkedBodyIsContentTooLarge() {
            String padded = VALID_ORDER.replace("\"customer-42\"", "\"customer-42\"" + " ".repeat(70_000));

            assertProblem(api.postOrderChunked(padded), 413);
        }

        @Test
        void wrongContentTypeIsUnsupportedMediaType() {
            assertProblem(api.send("POST", "/orders", VALID_ORDER, "Content-Type", "text/plain"), 415);
        }

        @Test
        void missingContentTypeIsUnsupportedMediaType() {
            assertProblem(api.send("POST", "/orders", VALID_ORDER), 415);
        }

        @Test
        void unacceptableResponseTypeIsNotAcceptable() {
            HttpApi.Response response = api.send(
                    "POST", "/orders", VALID_ORDER, "Content-Type", "application/json", "Accept", "application/xml");

            assertThat(response.status()).isEqualTo(406);
        }

        @Test
        void wrongMethodIsMethodNotAllowed() {
            assertProblem(api.send("PUT", "/orders", VALID_ORDER, "Content-Type", "application/json"), 405);
        }
    }

    private static void assertProblem(HttpApi.Response response, int status) {
        assertThat(response.status()).as(response.raw().body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.json().get("status").asInt()).isEqualTo(status);
        assertThat(response.json().get("title").asString()).isNotBlank();
    }
}
