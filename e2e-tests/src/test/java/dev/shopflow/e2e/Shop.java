package dev.shopflow.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The system as a client sees it over HTTP: order-service, stock-service, and GreenMail's REST API. */
final class Shop {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The line the image's {@code admin} command ends with, on standard error. */
    private static final Pattern ADMIN_STATUS = Pattern.compile("(?m)^HTTP (\\d{3})$");

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final String orders;
    private final String stock;
    private final String mail;
    private final Compose compose;

    Shop(Compose compose, int orderPort, int stockPort, int greenMailPort) {
        this.compose = compose;
        this.orders = "http://127.0.0.1:" + orderPort;
        this.stock = "http://127.0.0.1:" + stockPort;
        this.mail = "http://127.0.0.1:" + greenMailPort;
    }

    /**
     * One attempt to place an order; empty when no instance of order-service could be reached (the connection
     * failed, or the compose gateway had no ready instance: {@link #fromGateway}).
     */
    Optional<HttpResponse<String>> tryPlace(String idempotencyKey, String body) {
        return tryPlace(idempotencyKey, body, Map.of());
    }

    /** One attempt to place an order with extra request headers (a {@code traceparent}, say). */
    Optional<HttpResponse<String>> tryPlace(String idempotencyKey, String body, Map<String, String> headers) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(orders + "/orders"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", idempotencyKey)
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            headers.forEach(request::header);
            HttpResponse<String> response = http.send(request.build(), BodyHandlers.ofString());
            return fromGateway(response) ? Optional.empty() : Optional.of(response);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The compose gateway's own answer (HAProxy's HTML page: no replica of the service ready, or none answered), as
     * opposed to the service's, which is JSON.
     */
    static boolean fromGateway(HttpResponse<String> response) {
        return response.statusCode() >= 502
                && response.statusCode() <= 504
                && response.headers().firstValue("Content-Type").orElse("").startsWith("text/html");
    }

    /** {@code POST /admin/replay} on mail-service as the compose stack's admin (its generated password). */
    JsonNode replayMailService(String body) {
        return ok(postReplay(body), "POST /admin/replay");
    }

    /** {@code POST /admin/replay} on (one instance of) mail-service; the answer as it is. */
    AdminAnswer postReplay(String body) {
        return admin("mail-service", "/admin/replay", body);
    }

    /** {@code POST /admin/products/{id}/restock} on stock-service as the compose stack's admin; the new level. */
    int restock(String productId, int quantity) {
        AdminAnswer answer =
                admin("stock-service", "/admin/products/" + productId + "/restock", "{\"quantity\":" + quantity + "}");
        return ok(answer, "restock of " + productId).path("available").asInt();
    }

    /** The answer's body as JSON when it is a 200; fails with what was asked and answered otherwise. */
    private static JsonNode ok(AdminAnswer answer, String what) {
        if (answer.status() != 200) {
            throw new AssertionError(what + " answered " + answer.status() + ": " + answer.body());
        }
        return json(answer.body());
    }

    /** An admin endpoint's answer: its status and body. */
    record AdminAnswer(int status, String body) {}

    /**
     * A {@code POST} to an admin endpoint. The admin port (9081) is not published, by the gateway or otherwise, and
     * compose generates the password, so the call is made as an operator makes it: with the image's {@code admin}
     * command inside (one instance of) the service's container, which prints the body and {@code HTTP <status>}.
     */
    private AdminAnswer admin(String service, String path, String body) {
        Compose.Result result =
                compose.tryRun(Duration.ofSeconds(90), "exec", "-T", service, "admin", "POST", path, body);
        Matcher status = ADMIN_STATUS.matcher(result.output());
        if (!status.find()) {
            throw new AssertionError("admin POST " + path + " on " + service + " exited with " + result.exitCode()
                    + " and no status:\n" + Compose.tail(result.output(), 40));
        }
        return new AdminAnswer(
                Integer.parseInt(status.group(1)), status.replaceAll("").strip());
    }

    /**
     * How many mails GreenMail holds for a recipient, counted while the answer streams in (it carries every whole
     * message, so it can be large); 0 when it never got one.
     */
    long mailCount(String recipient) {
        try {
            HttpResponse<InputStream> response = http.send(
                    HttpRequest.newBuilder(URI.create(mail + "/api/user/" + recipient + "/messages/"))
                            .timeout(Duration.ofMinutes(2))
                            .build(),
                    BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                String answer;
                try (InputStream body = response.body()) {
                    answer = new String(body.readAllBytes(), StandardCharsets.UTF_8);
                }
                if (response.statusCode() == 400 && answer.contains("not found")) {
                    return 0;
                }
                throw new AssertionError(
                        "GET " + response.uri() + " answered " + response.statusCode() + ": " + answer);
            }
            try (InputStream body = response.body();
                    JsonParser parser = JSON.createParser(body)) {
                if (parser.nextToken() != JsonToken.START_ARRAY) {
                    throw new AssertionError("GET " + response.uri() + " answered no array");
                }
                long messages = 0;
                while (parser.nextToken() == JsonToken.START_OBJECT) {
                    parser.skipChildren();
                    messages++;
                }
                return messages;
            }
        } catch (IOException e) {
            throw new AssertionError("counting the mails of " + recipient + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Deletes every mail GreenMail holds, so that it does not run out of memory over a long run. */
    void purgeMails() {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(mail + "/api/mail/purge"))
                            .timeout(Duration.ofMinutes(1))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    BodyHandlers.ofString());
            parse(response);
        } catch (IOException e) {
            throw new AssertionError("POST /api/mail/purge failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String orderStatus(String id) {
        return getJson(orders + "/orders/" + id).path("status").asString();
    }

    int available(String productId) {
        return getJson(stock + "/products/" + productId).path("available").asInt();
    }

    /** Subjects of the mails GreenMail holds for a recipient; none when it never got one. */
    List<String> mailSubjects(String recipient) {
        return mails(recipient).stream()
                .map(message -> message.path("subject").asString())
                .toList();
    }

    /** The mails GreenMail holds for a recipient, as its API gives them (subject, mimeMessage, ...). */
    List<JsonNode> mails(String recipient) {
        HttpResponse<String> response = get(mail + "/api/user/" + recipient + "/messages/");
        if (response.statusCode() == 400 && response.body().contains("not found")) {
            return List.of();
        }
        return parse(response).valueStream().toList();
    }

    static JsonNode parse(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new AssertionError(response.request().method() + " " + response.uri() + " answered "
                    + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    static JsonNode json(String body) {
        return JSON.readTree(body);
    }

    static String toJson(Object value) {
        return JSON.writeValueAsString(value);
    }

    private JsonNode getJson(String uri) {
        return parse(get(uri));
    }

    private HttpResponse<String> get(String uri) {
        try {
            return http.send(
                    HttpRequest.newBuilder(URI.create(uri))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("GET " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
