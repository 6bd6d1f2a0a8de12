package dev.shopflow.e2e;

import static dev.shopflow.e2e.Customers.SETTLE;
import static dev.shopflow.e2e.EndToEndOrders.LINE_OBJECT;
import static dev.shopflow.e2e.EndToEndOrders.body;
import static dev.shopflow.e2e.EndToEndOrders.email;
import static dev.shopflow.e2e.EndToEndOrders.key;
import static dev.shopflow.e2e.EndToEndOrders.order;
import static dev.shopflow.e2e.EndToEndStack.log;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shopflow.e2e.EndToEndOrders.Order;
import dev.shopflow.e2e.EndToEndOrders.Outcome;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * The whole system as {@code docker-compose.yml} runs it, images built from this working tree: orders over HTTP,
 * order-service killed and restarted while orders keep coming, then the documented replay of {@code orders} for
 * mail-service with the Kafka CLI; with the {@code ops} profile, the trace of an order in Zipkin and the metrics
 * Prometheus scrapes. Run by failsafe in {@code verify}; {@code -De2e.skip=true} skips it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemEndToEndTest {

    private static Compose compose;
    private static Shop shop;
    private static Ops ops;
    private static Customers customers;
    private static KafkaGroups groups;
    /** How many of the tests passed; the services' logs are printed unless all did. */
    private static int passed;

    @BeforeAll
    static void startTheSystem() {
        compose = EndToEndStack.project();
        EndToEndStack stack = EndToEndStack.start(compose);
        shop = stack.shop();
        ops = stack.ops();
        customers = stack.customers();
        groups = stack.groups();
    }

    @AfterAll
    static void stopTheSystem() {
        if (compose == null) {
            return;
        }
        if (passed < 4) {
            EndToEndStack.printState(compose);
        }
        EndToEndStack.tearDown(compose);
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void everyOrderIsDecidedAndMailedOnceAcrossAKilledServiceAndAReplay() {
        Map<String, Integer> stockBefore = customers.stockLevels();
        List<Order> orders = EndToEndOrders.orders(stockBefore);

        // halfway order-service is killed (SIGKILL) and started again
        Map<Order, String> accepted = customers.placeAll(orders, halfway -> {
            compose.run(Duration.ofMinutes(1), "kill", "order-service");
            assertThat(shop.tryPlace(halfway.key(), halfway.body()))
                    .as("order-service is down")
                    .isEmpty();
            compose.startAgain(Duration.ofMinutes(1), "order-service");
        });
        log("%d orders sent, %d accepted; %d attempts went unanswered while order-service was down"
                .formatted(orders.size(), accepted.size(), customers.unanswered()));

        Map<String, String> expected = new LinkedHashMap<>();
        accepted.forEach((order, id) -> expected.put(id, order.expected().name()));
        await("every accepted order decided")
                .atMost(SETTLE)
                .pollInterval(Duration.ofSeconds(2))
                .until(() ->
                        customers.statuses(expected.keySet()).values().stream().noneMatch("PENDING"::equals));
        assertThat(customers.statuses(expected.keySet())).isEqualTo(expected);
        log("every accepted order CONFIRMED or REJECTED as expected");

        Map<String, List<String>> mails = new LinkedHashMap<>();
        accepted.forEach((order, id) -> mails.put(order.email(), EndToEndOrders.mails(id, order.expected())));
        await("a mail about receipt and one about the outcome, per order")
                .atMost(SETTLE)
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> customers.mailSubjects(mails.keySet()).values().stream()
                        .allMatch(subjects -> subjects.size() >= 2));
        assertThat(customers.mailSubjects(mails.keySet())).isEqualTo(mails);
        assertThat(orders)
                .filteredOn(order -> order.expected() == Outcome.INVALID)
                .allSatisfy(order -> assertThat(shop.mailSubjects(order.email()))
                        .as("mails for invalid order %s", order.key())
                        .isEmpty());

        Map<String, Integer> stockAfter = new HashMap<>(stockBefore);
        accepted.keySet().stream()
                .filter(order -> order.expected() == Outcome.CONFIRMED)
                .forEach(order -> order.quantities()
                        .forEach((product, quantity) -> stockAfter.merge(product, -quantity, Integer::sum)));
        assertThat(customers.stockLevels()).isEqualTo(stockAfter);
        log("mails and stock levels as expected");

        MailServiceReplays replays = new MailServiceReplays(compose, shop, customers);
        replays.replayOrdersForMailService(accepted.size());
        assertThat(customers.mailSubjects(mails.keySet()))
                .as("no mail sent twice after the replay")
                .isEqualTo(mails);
        log("replayed orders for mail-service: no mail sent twice");

        replays.resendTheMailsOfEventsFromATime(mails);
        log("replayed orders for mail-service from a time with reprocess: exactly the later mails sent again");
        passed++;
    }

    /**
     * One order, one trace (the {@code ops} profile's Zipkin): from the caller's span through order-service's
     * request, each relay, stock-service, back to order-service and to mail-service, each span a child of the one
     * that caused it.
     */
    @Test
    @org.junit.jupiter.api.Order(2)
    void anOrdersTraceRunsThroughTheThreeServicesInCausalOrder() {
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String callerSpan = traceId.substring(0, 16);
        HttpResponse<String> placed = shop.tryPlace(
                        key("traced"),
                        body(LINE_OBJECT).formatted(email("traced")),
                        Map.of("traceparent", "00-" + traceId + "-" + callerSpan + "-01"))
                .orElseThrow();
        assertThat(placed.statusCode()).isEqualTo(201);

        // (service, span name) -> the span it descends from; Zipkin keeps names in lower case
        Map<String, String> causedBy = new LinkedHashMap<>();
        causedBy.put("order-service http post /orders", null);
        causedBy.put("order-service relay orderplaced", "order-service http post /orders");
        causedBy.put("stock-service handle orderplaced", "order-service relay orderplaced");
        causedBy.put("mail-service handle orderplaced", "order-service relay orderplaced");
        causedBy.put("stock-service relay stockreserved", "stock-service handle orderplaced");
        causedBy.put("order-service handle stockreserved", "stock-service relay stockreserved");
        causedBy.put("order-service relay orderconfirmed", "order-service handle stockreserved");
        causedBy.put("mail-service handle orderconfirmed", "order-service relay orderconfirmed");
        AtomicReference<Trace> trace = new AtomicReference<>(new Trace(List.of()));
        await("the order's spans in Zipkin")
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> {
                    trace.set(new Trace(ops.trace(traceId)));
                    return trace.get().names().containsAll(causedBy.keySet());
                });

        Map<String, JsonNode> byName = trace.get().byName();
        assertThat(byName.get("order-service http post /orders")
                        .path("parentId")
                        .asString())
                .as("the request continues the caller's trace")
                .isEqualTo(callerSpan);
        causedBy.forEach((span, cause) -> {
            if (cause != null) {
                assertThat(trace.get().ancestors(byName.get(span)))
                        .as(
                                "%s descends from %s in %s",
                                span, cause, trace.get().spans())
                        .contains(byName.get(cause).path("id").asString());
            }
        });
        assertThat(byName.get("stock-service relay stockreserved")
                        .path("parentId")
                        .asString())
                .as("what a consumer writes continues the span of the event it handled")
                .isEqualTo(byName.get("stock-service handle orderplaced")
                        .path("id")
                        .asString());
        log("order %s: one trace of %d spans in Zipkin, each under the span that caused it"
                .formatted(Shop.json(placed.body()).path("id").asString(), byName.size()));
        passed++;
    }

    /**
     * Prometheus (the {@code ops} profile) scrapes every service and has the alert rules loaded, and every metric
     * the rules and the Grafana dashboard query is one the services really expose.
     */
    @Test
    @org.junit.jupiter.api.Order(3)
    void prometheusScrapesEveryServiceAndEveryMetricTheRulesAndDashboardUseExists() {
        await("every scrape target up")
                .atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> ops.targets().size() >= 3
                        && ops.targets().stream()
                                .allMatch(target ->
                                        target.path("health").asString().equals("up")));
        assertThat(ops.alertRules())
                .extracting(rule -> rule.path("name").asString())
                .isNotEmpty();

        await("every metric the rules and the dashboard use, scraped from the services")
                .atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(ops.scrapedMetricNames())
                        .as("metric names Prometheus scraped from the services")
                        .containsAll(MonitoringFiles.metricNames()));
        assertThat(MonitoringFiles.metricNames()).isNotEmpty();
        log("Prometheus: %d targets up, %d alert rules; all %d metrics they and the dashboard use are exposed"
                .formatted(
                        ops.targets().size(),
                        ops.alertRules().size(),
                        MonitoringFiles.metricNames().size()));
        passed++;
    }

    /**
     * {@code docker compose up --scale}: three instances each of stock-service and mail-service, one consumer thread
     * each ({@code KAFKA_LISTENER_CONCURRENCY=1}). Each group gives every instance one of the three partitions of
     * orders, exactly one stock-service instance leads its relay, Prometheus scrapes every instance, an admin replay
     * executed on one instance is refused while the others are in the group (a dry run still answers), and an order
     * placed then is settled and mailed once.
     */
    @Test
    @org.junit.jupiter.api.Order(4)
    void threeInstancesOfAServiceSplitItsPartitionsAndOneLeadsTheRelay() {
        compose.withEnv("KAFKA_LISTENER_CONCURRENCY", "1")
                .run(
                        Duration.ofMinutes(10),
                        "up",
                        "--detach",
                        "--wait",
                        "--wait-timeout",
                        "420",
                        "--scale",
                        "stock-service=3",
                        "--scale",
                        "mail-service=3");
        log("scaled to three instances of stock-service and of mail-service");
        RelayRoles relays = new RelayRoles(compose);

        for (String group : List.of("stock-service", "mail-service")) {
            await(group + ": one partition of orders on each of three instances")
                    .atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(3))
                    .until(() -> new HashSet<>(groups.partitionOwners(group).values()).size() == 3);
        }
        await("one stock-service instance leads its relay, the others stand by")
                .atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> relays.of("stock-service", 3).stream()
                        .sorted()
                        .toList()
                        .equals(List.of("leader", "standby", "standby")));
        List<String> roles = relays.of("stock-service", 3);
        await("Prometheus scrapes every instance")
                .atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofSeconds(3))
                .until(() -> ops.targets().stream()
                                .filter(target ->
                                        target.path("health").asString().equals("up"))
                                .count()
                        == 7);

        String replay = "{\"topic\":\"orders\",\"from\":\"PT1M\"";
        Shop.AdminAnswer dryRun = shop.postReplay(replay + "}");
        assertThat(dryRun.status()).as(dryRun.body()).isEqualTo(200);
        Shop.AdminAnswer refused = shop.postReplay(replay + ",\"execute\":true}");
        assertThat(refused.status()).as(refused.body()).isEqualTo(409);
        assertThat(refused.body()).contains("still has");
        await("mail-service's three instances share orders again after the refused replay")
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofSeconds(3))
                .until(() ->
                        new HashSet<>(groups.partitionOwners("mail-service").values()).size() == 3);

        Order order = order("scaled", Map.of("SKU-2002", 1), Outcome.CONFIRMED);
        HttpResponse<String> placed = customers.placeRetrying(order);
        assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);
        String id = Shop.json(placed.body()).path("id").asString();
        await("the order settled and mailed by the scaled services")
                .atMost(SETTLE)
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> shop.orderStatus(id).equals("CONFIRMED")
                        && shop.mailSubjects(order.email()).size() >= 2);
        assertThat(shop.mailSubjects(order.email()).stream().sorted().toList())
                .isEqualTo(EndToEndOrders.mails(id, Outcome.CONFIRMED));
        log("three instances each: partitions %s and %s, relays %s, replay refused (%s), order %s mailed once"
                .formatted(
                        groups.partitionOwners("stock-service"),
                        groups.partitionOwners("mail-service"),
                        roles,
                        Shop.json(refused.body()).path("detail").asString(),
                        id));
        passed++;
    }
}
