package dev.shopflow.order;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shopflow.events.EventJson;
import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.retention.TableRetention;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import tools.jackson.databind.JsonNode;

class OrderApiTests extends IntegrationTest {

    @Nested
    class PlaceOrder {

        @Test
        void createsPendingOrderWithServerComputedTotal() {
            HttpApi.Response created = api.postOrder(VALID_ORDER);

            assertThat(created.status()).isEqualTo(201);
            JsonNode body = created.json();
            String id = body.get("id").asString();
            assertThat(created.header("Location")).isEqualTo("/orders/" + id);
            assertThat(body.get("status").asString()).isEqualTo("PENDING");
            assertThat(body.get("total").decimalValue()).isEqualByComparingTo("44.98");
            assertThat(body.get("lines").get(0).get("lineTotal").decimalValue()).isEqualByComparingTo("39.98");
        }

        @Test
        void writesTheOrderAndExactlyOneOrderPlacedOutboxRow() {
            String id = api.postOrder(VALID_ORDER).json().get("id").asString();

            assertThat(count("orders")).isOne();
            assertThat(count("order_lines")).isEqualTo(2);
            Map<String, Object> row = jdbc.sql("select * from outbox").query().singleRow();
            assertThat(row)
                    .containsEntry("aggregatetype", "orders")
                    .containsEntry("aggregateid", id)
                    .containsEntry("type", "OrderPlaced")
                    .containsEntry("schema_version", 1);
            OrderPlaced event = (OrderPlaced)
                    new EventJson().read("OrderPlaced", 1, row.get("payload").toString());
            assertThat(event.eventId()).isEqualTo(row.get("id"));
            assertThat(event.orderId()).isEqualTo(UUID.fromString(id));
            assertThat(event.customerEmail()).isEqualTo("ada@example.com");
            assertThat(event.total()).isEqualByComparingTo("44.98");
            assertThat(event.lines())
                    .containsExactly(
                            new OrderLine("SKU-1001", 2, new BigDecimal("19.99")),
                            new OrderLine("SKU-2002", 1, new BigDecimal("5.00")));
        }
    }

    @Nested
    class DatabaseUnavailable {

        @AfterEach
        void dropFailure() {
            jdbc.sql("drop trigger if exists fail_order on orders").update();
            jdbc.sql("drop function if exists fail_order()").update();
        }

        /** A switchover leaves the service on a read-only server for a moment: the client is told to retry. */
        @Test
        void aReadOnlyDatabaseAnswers503WithRetryAfterAndWritesNothing() {
            jdbc.sql("""
                            create function fail_order() returns trigger language plpgsql as $$
                            begin
                              raise exception 'cannot execute INSERT in a read-only transaction'
                                using errcode = '25006';
                            end $$""").update();
            jdbc.sql("create trigger fail_order before insert on orders for each row execute function fail_order()")
                    .update();

            HttpApi.Response refused = api.postOrder(VALID_ORDER);

            assertThat(refused.status()).as(refused.raw().body()).isEqualTo(503);
            assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
            assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 4);
            assertThat(refused.json().get("type").asString()).endsWith("/unavailable");
            assertThat(count("orders")).isZero();
            assertThat(count("outbox")).isZero();
            assertThat(count("idempotency_keys")).isZero();
        }

        /**
         * A failure while the transaction commits (here a deferred check; in life, the connection lost at that
         * moment) may come after the order was saved: the answer must not promise otherwise, and a retry with the
         * same key must place the order once.
         */
        @Test
        void aFailureAtCommitSays503WithoutPromisingNothingWasSavedAndARetryWithTheKeyPlacesTheOrderOnce() {
            jdbc.sql("""
                            create function fail_order() returns trigger language plpgsql as $$
                            begin
                              raise exception 'could not serialize access' using errcode = '40001';
                            end $$""").update();
            jdbc.sql("""
                            create constraint trigger fail_order after insert on orders deferrable initially deferred
                            for each row execute function fail_order()""").update();
            String key = UUID.randomUUID().toString();

            HttpApi.Response refused = api.postOrder(VALID_ORDER, "Idempotency-Key", key);

            assertThat(refused.status()).as(refused.raw().body()).isEqualTo(503);
            assertThat(refused.json().get("detail").asString())
                    .doesNotContainIgnoringCase("nothing was saved")
                    .contains("may or may not have been saved")
                    .contains("same Idempotency-Key");

            dropFailure();
            HttpApi.Response retried = api.postOrder(VALID_ORDER, "Idempotency-Key", key);
            HttpApi.Response again = api.postOrder(VALID_ORDER, "Idempotency-Key", key);

            assertThat(retried.status()).as(retried.raw().body()).isEqualTo(201);
            assertThat(again.json().get("id")).isEqualTo(retried.json().get("id"));
            assertThat(count("orders")).isOne();
        }
    }

    @Nested
    class GetOrder {

        @Test
        void returnsThePlacedOrderWithItsLines() {
            HttpApi.Response created = api.postOrder(VALID_ORDER);

            HttpApi.Response fetched = api.get(created.header("Location"));

            assertThat(fetched.status()).isEqualTo(200);
            assertThat(fetched.json()).isEqualTo(created.json());
            assertThat(fetched.json().get("lines")).hasSize(2);
        }

        @Test
        void unknownIdIsNotFound() {
            HttpApi.Response missing = api.get("/orders/" + UUID.randomUUID());

            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.header("Content-Type")).startsWith("application/problem+json");
        }

        @Test
        void malformedIdIsBadRequest() {
            HttpApi.Response malformed = api.get("/orders/not-a-uuid");

            assertThat(malformed.status()).isEqualTo(400);
            assertThat(malformed.header("Content-Type")).startsWith("application/problem+json");
        }
    }

    @Nested
    class IdempotencyKey {

        @Test
        void retryWithSameKeyReturnsTheOriginalOrderAndCreatesNothing() {
            HttpApi.Response first = api.postOrder(VALID_ORDER, "Idempotency-Key", "retry-1");
            HttpApi.Response retry = api.postOrder(VALID_ORDER, "Idempotency-Key", "retry-1");

            assertThat(retry.status()).isEqualTo(201);
            assertThat(retry.json()).isEqualTo(first.json());
            assertThat(first.header("Idempotent-Replayed")).isEqualTo("false");
            assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
            assertThat(count("orders")).isOne();
            assertThat(count("outbox")).isOne();
        }

        @Test
        void numberFormattingDoesNotMakeADifferentRequest() {
            HttpApi.Response first = api.postOrder(VALID_ORDER, "Idempotency-Key", "retry-2");
            HttpApi.Response retry =
                    api.postOrder(VALID_ORDER.replace("5.00", "5.0").replace("\n", ""), "Idempotency-Key", "retry-2");

            assertThat(retry.json().get("id")).isEqualTo(first.json().get("id"));
            assertThat(count("orders")).isOne();
        }

        @Test
        void sameKeyWithDifferentBodyIsRejectedAndCreatesNothing() {
            api.postOrder(VALID_ORDER, "Idempotency-Key", "reused");

            HttpApi.Response misuse = api.postOrder(
                    VALID_ORDER.replace("\"quantity\": 2", "\"quantity\": 3"), "Idempotency-Key", "reused");

            assertThat(misuse.status()).isEqualTo(422);
            assertThat(misuse.header("Content-Type")).startsWith("application/problem+json");
            assertThat(misuse.json().get("detail").asString()).contains("reused");
            assertThat(count("orders")).isOne();
            assertThat(count("outbox")).isOne();
        }

        @Test
        void differentKeysCreateDifferentOrders() {
            api.postOrder(VALID_ORDER, "Idempotency-Key", "a");
            api.postOrder(VALID_ORDER, "Idempotency-Key", "b");
            api.postOrder(VALID_ORDER);

            assertThat(count("orders")).isEqualTo(3);
            assertThat(count("outbox")).isEqualTo(3);
        }

        @Test
        void aKeyOlderThanItsRetentionIsForgottenAndPlacesANewOrder(
                @Autowired @Qualifier("idempotencyKeyRetention") TableRetention idempotencyKeyRetention) {
            HttpApi.Response first = api.postOrder(VALID_ORDER, "Idempotency-Key", "old");
            api.postOrder(VALID_ORDER, "Idempotency-Key", "recent");
            jdbc.sql("update idempotency_keys set created_at = now() - interval '7 days 1 minute' where key = 'old'")
                    .update();

            assertThat(idempotencyKeyRetention.run()).isOne();
            HttpApi.Response late = api.postOrder(VALID_ORDER, "Idempotency-Key", "old");

            assertThat(late.status()).isEqualTo(201);
            assertThat(late.header("Idempotent-Replayed")).isEqualTo("false");
            assertThat(late.json().get("id")).isNotEqualTo(first.json().get("id"));
            assertThat(count("orders")).isEqualTo(3);
        }

        @Test
        void concurrentRetriesWithOneKeyCreateOneOrder() throws Exception {
            int clients = 8;
            List<Callable<HttpApi.Response>> retries = IntStream.range(0, clients)
                    .<Callable<HttpApi.Response>>mapToObj(
                            i -> () -> api.postOrder(VALID_ORDER, "Idempotency-Key", "concurrent"))
                    .toList();
            List<HttpApi.Response> responses;
            try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
                responses =
                        pool.invokeAll(retries).stream().map(OrderApiTests::get).toList();
            }

            assertThat(responses).extracting(HttpApi.Response::status).containsOnly(201);
            assertThat(responses)
                    .extracting(r -> r.json().get("id"))
                    .containsOnly(responses.getFirst().json().get("id"));
            assertThat(count("orders")).isOne();
            assertThat(count("outbox")).isOne();
        }
    }

    @Test
    void servesItsOpenApiDescription() {
        HttpApi.Response docs = api.get("/v3/api-docs");

        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.json().get("paths").has("/orders")).isTrue();
        assertThat(docs.json().get("paths").has("/orders/{id}")).isTrue();
    }

    /**
     * Kubernetes probes the API port ({@code deploy/k8s}): a pod whose API server is stuck is not live, however
     * well the management port answers.
     */
    @Test
    void answersTheLivenessAndReadinessProbesOnTheApiPort() {
        for (String probe : List.of("/livez", "/readyz")) {
            HttpApi.Response response = api.get(probe);

            assertThat(response.status()).as(probe).isEqualTo(200);
            assertThat(response.json().get("status").asString()).as(probe).isEqualTo("UP");
        }
    }

    private static <T> T get(Future<T> future) {
        try {
            return future.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
