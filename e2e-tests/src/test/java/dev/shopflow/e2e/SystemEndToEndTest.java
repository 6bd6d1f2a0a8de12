package dev.shopflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
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

    private static final String RECEIVED = "We received your order";
    private static final String CONFIRMED = "Your order is confirmed";
    private static final String NOT_FULFILLED = "Your order could not be fulfilled";
    private static final List<String> PRODUCTS = List.of("SKU-1001", "SKU-2002", "SKU-3003", "SKU-4004");
    private static final Duration SETTLE = Duration.ofMinutes(3);
    private static final String LINE_OBJECT = "{\"productId\":\"SKU-2002\",\"quantity\":1,\"unitPrice\":5.00}";
    private static final String LINE = "[" + LINE_OBJECT + "]";

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final Path ROOT =
            Path.of(System.getProperty("shopflow.root", "..")).toAbsolutePath().normalize();

    private static final long STARTED = System.nanoTime();

    private static Compose compose;
    private static Shop shop;
    private static Ops ops;
    /** How many of the tests passed; the services' logs are printed unless all did. */
    private static int passed;

    private static final AtomicInteger unanswered = new AtomicInteger();

    enum Outcome {
        CONFIRMED,
        REJECTED,
        INVALID
    }

    record Order(String key, String body, Outcome expected, String email, Map<String, Integer> quantities) {}

    @BeforeAll
    static void startTheSystem() {
        compose = new Compose("shopflow-e2e", ROOT, ROOT.resolve("e2e-tests/target/e2e")).withProfiles("ops");
        compose.run(Duration.ofMinutes(2), "down", "--volumes", "--remove-orphans");
        compose.up(Duration.ofMinutes(15), Duration.ofMinutes(7));
        log("built and started, every service healthy");
        shop = new Shop(
                compose, compose.port("ORDER_PORT"), compose.port("STOCK_PORT"), compose.port("GREENMAIL_API_PORT"));
        ops = new Ops(compose.port("ZIPKIN_PORT"), compose.port("PROMETHEUS_PORT"));
    }

    @AfterAll
    static void stopTheSystem() {
        if (compose == null) {
            return;
        }
        if (passed < 4) {
            System.out.println(
                    compose.tryRun(Duration.ofSeconds(30), "ps", "--all").output());
            for (String service : List.of("order-service", "stock-service", "mail-service", "kafka-init")) {
                System.out.println(
                        compose.tryRun(Duration.ofSeconds(30), "logs", "--no-color", "--tail", "150", service)
                                .output());
            }
        }
        compose.run(Duration.ofMinutes(2), "down", "--volumes", "--remove-orphans");
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void everyOrderIsDecidedAndMailedOnceAcrossAKilledServiceAndAReplay() {
        Map<String, Integer> stockBefore = stockLevels();
        List<Order> orders = orders(stockBefore);

        Map<Order, String> accepted = placeAll(orders);
        log("%d orders sent, %d accepted; %d attempts went unanswered while order-service was down"
                .formatted(orders.size(), accepted.size(), unanswered.get()));

        Map<String, String> expected = new LinkedHashMap<>();
        accepted.forEach((order, id) -> expected.put(id, order.expected().name()));
        await("every accepted order decided")
                .atMost(SETTLE)
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> statuses(expected.keySet()).values().stream().noneMatch("PENDING"::equals));
        assertThat(statuses(expected.keySet())).isEqualTo(expected);
        log("every accepted order CONFIRMED or REJECTED as expected");

        Map<String, List<String>> mails = new LinkedHashMap<>();
        accepted.forEach((order, id) -> mails.put(
                order.email(),
                Stream.of(RECEIVED, order.expected() == Outcome.CONFIRMED ? CONFIRMED : NOT_FULFILLED)
                        .map(subject -> subject + " (" + id + ")")
                        .sorted()
                        .toList()));
        await("a mail about receipt and one about the outcome, per order")
                .atMost(SETTLE)
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> mailSubjects(mails.keySet()).values().stream().allMatch(subjects -> subjects.size() >= 2));
        assertThat(mailSubjects(mails.keySet())).isEqualTo(mails);
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
        assertThat(stockLevels()).isEqualTo(stockAfter);
        log("mails and stock levels as expected");

        replayOrdersForMailService(accepted.size());
        assertThat(mailSubjects(mails.keySet()))
                .as("no mail sent twice after the replay")
                .isEqualTo(mails);
        log("replayed orders for mail-service: no mail sent twice");

        resendTheMailsOfEventsFromATime(mails);
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
        AtomicReference<List<JsonNode>> trace = new AtomicReference<>(List.of());
        await("the order's spans in Zipkin")
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> {
                    trace.set(ops.trace(traceId));
                    return trace.get().stream()
                            .map(SystemEndToEndTest::spanName)
                            .collect(Collectors.toSet())
                            .containsAll(causedBy.keySet());
                });

        Map<String, JsonNode> byId = new HashMap<>();
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        trace.get().forEach(span -> {
            byId.put(span.path("id").asString(), span);
            byName.putIfAbsent(spanName(span), span);
        });
        assertThat(byName.get("order-service http post /orders")
                        .path("parentId")
                        .asString())
                .as("the request continues the caller's trace")
                .isEqualTo(callerSpan);
        causedBy.forEach((span, cause) -> {
            if (cause != null) {
                assertThat(ancestors(byName.get(span), byId))
                        .as("%s descends from %s in %s", span, cause, trace.get())
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
        Map<String, JsonNode> found = byName;
        log("order %s: one trace of %d spans in Zipkin, each under the span that caused it"
                .formatted(Shop.json(placed.body()).path("id").asString(), found.size()));
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
     * Places every order; halfway order-service is killed (SIGKILL) and started again. Orders sent meanwhile fail
     * and are retried with the same Idempotency-Key until accepted, as a client should.
     */
    private Map<Order, String> placeAll(List<Order> orders) {
        Map<Order, String> accepted = new LinkedHashMap<>();
        int half = orders.size() / 2;
        for (int i = 0; i < orders.size(); i++) {
            Order order = orders.get(i);
            if (i == half) {
                compose.run(Duration.ofMinutes(1), "kill", "order-service");
                assertThat(shop.tryPlace(order.key(), order.body()))
                        .as("order-service is down")
                        .isEmpty();
                compose.startAgain(Duration.ofMinutes(1), "order-service");
            }
            if (order.expected() == Outcome.INVALID) {
                HttpResponse<String> response = placeRetrying(order);
                assertThat(response.statusCode()).as(order.body()).isEqualTo(400);
                assertThat(response.headers().firstValue("Content-Type"))
                        .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
                assertThat(response.headers().firstValue("Location")).isEmpty();
            } else {
                HttpResponse<String> response = placeRetrying(order);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
                accepted.put(order, Shop.json(response.body()).path("id").asString());
            }
        }
        return accepted;
    }

    /** Sends an order until order-service answers with anything but a server error. */
    private HttpResponse<String> placeRetrying(Order order) {
        AtomicReference<HttpResponse<String>> answer = new AtomicReference<>();
        AtomicReference<String> last = new AtomicReference<>("no answer");
        try {
            await("an answer to order " + order.key())
                    .atMost(SETTLE)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        Optional<HttpResponse<String>> response = shop.tryPlace(order.key(), order.body());
                        response.ifPresent(r -> last.set(r.statusCode() + " " + r.body()));
                        response = response.filter(r -> r.statusCode() < 500);
                        response.ifPresentOrElse(answer::set, unanswered::incrementAndGet);
                        return response.isPresent();
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(
                    "no answer but a server error to order " + order.key() + " within " + SETTLE
                            + "; the last: " + last.get() + "\norder-service:\n"
                            + compose.describe("order-service", 120)
                            + "gateway:\n" + compose.describe("gateway", 20),
                    e);
        }
        return answer.get();
    }

    /**
     * The replay documented in the README: stop mail-service, reset its group on {@code orders} to the earliest
     * offset with the Kafka CLI, start it. It reads every event again and mails nothing twice.
     */
    private void replayOrdersForMailService(int acceptedOrders) {
        compose.run(Duration.ofMinutes(1), "stop", "mail-service");
        await("offsets of mail-service reset (the group has no members once stopped)")
                .atMost(Duration.ofMinutes(2))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> compose.kafkaCli(
                                        "kafka-consumer-groups.sh",
                                        "--bootstrap-server",
                                        "localhost:9092",
                                        "--group",
                                        "mail-service",
                                        "--topic",
                                        "orders",
                                        "--reset-offsets",
                                        "--to-earliest",
                                        "--execute")
                                .exitCode()
                        == 0);
        assertThat(lag("mail-service"))
                .as("records of orders to read again: an OrderPlaced and an outcome per order, at least")
                .isGreaterThanOrEqualTo(2L * acceptedOrders);

        compose.startAgain(Duration.ofMinutes(1), "mail-service");
        await("mail-service read orders again to the end")
                .atMost(SETTLE)
                .pollInterval(Duration.ofSeconds(3))
                .until(() -> lag("mail-service") == 0);
    }

    /**
     * The project's own replay with reprocess, as the README documents it: mail-service re-reads {@code orders}
     * from a time T and sends again exactly the mails of the events at or after T. stock-service is not involved:
     * stock levels and its group's offsets stay as they were.
     */
    private void resendTheMailsOfEventsFromATime(Map<String, List<String>> earlierMails) {
        Instant from = Instant.now();
        List<Order> late = List.of(
                order("late-0", Map.of("SKU-2002", 1), Outcome.CONFIRMED),
                order("late-1", Map.of("SKU-1001", 1), Outcome.CONFIRMED),
                order("late-2", Map.of("SKU-2002", 2), Outcome.CONFIRMED));
        Map<String, List<String>> lateMails = new LinkedHashMap<>();
        for (Order order : late) {
            HttpResponse<String> response = placeRetrying(order);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
            String id = Shop.json(response.body()).path("id").asString();
            lateMails.put(
                    order.email(),
                    Stream.of(RECEIVED, CONFIRMED)
                            .map(subject -> subject + " (" + id + ")")
                            .sorted()
                            .toList());
        }
        await("the late orders mailed, and both groups caught up")
                .atMost(SETTLE)
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> mailSubjects(lateMails.keySet()).equals(lateMails)
                        && lag("mail-service") == 0
                        && lag("stock-service") == 0);
        Map<String, Integer> stock = stockLevels();
        Map<Integer, Long> stockServiceOffsets = committedOffsets("stock-service");

        String replay = "{\"topic\":\"orders\",\"from\":\"" + from + "\",\"reprocess\":true";
        JsonNode dryRun = shop.replayMailService(replay + "}");
        assertThat(dryRun.path("executed").asBoolean()).as(dryRun.toString()).isFalse();
        assertThat(dryRun.path("effectsRedone").asLong())
                .as("an OrderPlaced and an OrderConfirmed per late order: %s", dryRun)
                .isEqualTo(2L * late.size());
        JsonNode executed = shop.replayMailService(replay + ",\"execute\":true}");
        assertThat(executed.path("executed").asBoolean())
                .as(executed.toString())
                .isTrue();

        Map<String, List<String>> twice = new LinkedHashMap<>();
        lateMails.forEach((recipient, subjects) -> twice.put(
                recipient,
                Stream.concat(subjects.stream(), subjects.stream()).sorted().toList()));
        await("the late orders' mails sent a second time")
                .atMost(SETTLE)
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> mailSubjects(lateMails.keySet()).equals(twice) && lag("mail-service") == 0);
        assertThat(mailSubjects(earlierMails.keySet()))
                .as("no mail of an event before the replay's start sent again")
                .isEqualTo(earlierMails);
        assertThat(stockLevels()).isEqualTo(stock);
        assertThat(committedOffsets("stock-service")).isEqualTo(stockServiceOffsets);
    }

    /** Lag of a group on topic orders, over all partitions, as kafka-consumer-groups.sh describes it. */
    private static long lag(String group) {
        long lag = 0;
        for (String[] columns : describeOnOrders(group)) {
            // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ...; "-" where nothing is committed yet
            lag += columns[5].equals("-") ? Long.parseLong(columns[4]) : Long.parseLong(columns[5]);
        }
        return lag;
    }

    /** The group's committed offset per partition of orders. */
    private static Map<Integer, Long> committedOffsets(String group) {
        Map<Integer, Long> offsets = new HashMap<>();
        for (String[] columns : describeOnOrders(group)) {
            offsets.put(Integer.parseInt(columns[2]), columns[3].equals("-") ? -1 : Long.parseLong(columns[3]));
        }
        return offsets;
    }

    private static List<String[]> describeOnOrders(String group) {
        Compose.Result describe = compose.kafkaCli(
                "kafka-consumer-groups.sh", "--bootstrap-server", "localhost:9092", "--describe", "--group", group);
        assertThat(describe.exitCode()).as(describe.output()).isZero();
        List<String[]> rows = describe.output()
                .lines()
                .map(line -> line.trim().split("\\s+"))
                .filter(columns -> columns.length >= 6 && columns[0].equals(group) && columns[1].equals("orders"))
                .toList();
        assertThat(rows).as(describe.output()).hasSize(3);
        return rows;
    }

    /**
     * More than 100 orders: valid ones (each with a recipient of its own, so its mails can be counted), one that
     * asks for more than is in stock together with a line that is in stock (all or none: neither is reserved), and
     * invalid ones mixed in.
     */
    private static List<Order> orders(Map<String, Integer> stock) {
        List<Order> valid = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Map<String, Integer> quantities = i % 5 == 0 ? Map.of("SKU-2002", 1, "SKU-1001", 2) : Map.of("SKU-2002", 1);
            valid.add(order("valid-" + i, quantities, Outcome.CONFIRMED));
        }
        int confirmedSku1001 = valid.stream()
                .mapToInt(order -> order.quantities().getOrDefault("SKU-1001", 0))
                .sum();
        assertThat(stock.get("SKU-1001")).as("seeded stock").isGreaterThanOrEqualTo(confirmedSku1001);
        assertThat(stock.get("SKU-2002")).as("seeded stock").isGreaterThanOrEqualTo(valid.size());

        Order outOfStock =
                order("out-of-stock", Map.of("SKU-3003", 1, "SKU-4004", stock.get("SKU-4004") + 1), Outcome.REJECTED);
        List<Order> invalid = List.of(
                invalid("blank-customer", "{\"customerId\":\"\",\"customerEmail\":\"%s\",\"lines\":" + LINE + "}"),
                invalid("bad-email", "{\"customerId\":\"c\",\"customerEmail\":\"nope\",\"lines\":" + LINE + "}"),
                invalid("no-lines", "{\"customerId\":\"c\",\"customerEmail\":\"%s\",\"lines\":[]}"),
                invalid("zero-quantity", body("{\"productId\":\"SKU-2002\",\"quantity\":0,\"unitPrice\":5.00}")),
                invalid("negative-price", body("{\"productId\":\"SKU-2002\",\"quantity\":1,\"unitPrice\":-1}")),
                invalid("quantity-as-string", body("{\"productId\":\"SKU-2002\",\"quantity\":\"2\",\"unitPrice\":5}")),
                invalid("fractional-quantity", body("{\"productId\":\"SKU-2002\",\"quantity\":2.5,\"unitPrice\":5}")),
                invalid("three-decimals", body("{\"productId\":\"SKU-2002\",\"quantity\":1,\"unitPrice\":1.999}")),
                invalid("unknown-field", body("{\"productId\":\"SKU-2002\",\"quantitty\":1,\"unitPrice\":5}")),
                invalid("same-product-twice", body(LINE_OBJECT + "," + LINE_OBJECT)),
                invalid(
                        "total-from-client",
                        "{\"customerId\":\"c\",\"customerEmail\":\"%s\",\"total\":1,\"lines\":" + LINE + "}"),
                invalid("malformed-json", "{\"customerId\":\"c\",\"customerEmail\":\"%s\",\"lines\":["));

        List<Order> all = new ArrayList<>(valid);
        for (int i = 0; i < invalid.size(); i++) {
            all.add(9 * i + 5, invalid.get(i));
        }
        all.add(all.size() / 3, outOfStock);
        return all;
    }

    private static Order order(String name, Map<String, Integer> quantities, Outcome expected) {
        String email = email(name);
        List<Map<String, Object>> lines = quantities.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(line -> Map.<String, Object>of(
                        "productId", line.getKey(), "quantity", line.getValue(), "unitPrice", new BigDecimal("5.00")))
                .toList();
        String body = Shop.toJson(Map.of("customerId", "customer-" + name, "customerEmail", email, "lines", lines));
        return new Order(key(name), body, expected, email, quantities);
    }

    private static String body(String lines) {
        return "{\"customerId\":\"c\",\"customerEmail\":\"%s\",\"lines\":[" + lines + "]}";
    }

    /** @param template the body, with %s where the (valid, own) recipient goes */
    private static Order invalid(String name, String template) {
        String email = email(name);
        return new Order(key(name), template.formatted(email), Outcome.INVALID, email, Map.of());
    }

    private static String key(String name) {
        return "e2e-" + RUN + "-" + name;
    }

    private static String email(String name) {
        return name + "-" + RUN + "@e2e.shopflow.dev";
    }

    private static void log(String message) {
        System.out.printf(
                "[e2e] %3ds %s%n", Duration.ofNanos(System.nanoTime() - STARTED).toSeconds(), message);
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

        for (String group : List.of("stock-service", "mail-service")) {
            await(group + ": one partition of orders on each of three instances")
                    .atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(3))
                    .until(() -> new HashSet<>(partitionOwners(group).values()).size() == 3);
        }
        await("one stock-service instance leads its relay, the others stand by")
                .atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> IntStream.rangeClosed(1, 3)
                        .mapToObj(index -> relayRole("stock-service", index))
                        .sorted()
                        .toList()
                        .equals(List.of("leader", "standby", "standby")));
        List<String> roles = IntStream.rangeClosed(1, 3)
                .mapToObj(index -> relayRole("stock-service", index))
                .toList();
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
                .until(() -> new HashSet<>(partitionOwners("mail-service").values()).size() == 3);

        Order order = order("scaled", Map.of("SKU-2002", 1), Outcome.CONFIRMED);
        HttpResponse<String> placed = placeRetrying(order);
        assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);
        String id = Shop.json(placed.body()).path("id").asString();
        List<String> expected = Stream.of(RECEIVED, CONFIRMED)
                .map(subject -> subject + " (" + id + ")")
                .sorted()
                .toList();
        await("the order settled and mailed by the scaled services")
                .atMost(SETTLE)
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> shop.orderStatus(id).equals("CONFIRMED")
                        && shop.mailSubjects(order.email()).size() >= 2);
        assertThat(shop.mailSubjects(order.email()).stream().sorted().toList()).isEqualTo(expected);
        log("three instances each: partitions %s and %s, relays %s, replay refused (%s), order %s mailed once"
                .formatted(
                        partitionOwners("stock-service"),
                        partitionOwners("mail-service"),
                        roles,
                        Shop.json(refused.body()).path("detail").asString(),
                        id));
        passed++;
    }

    /** Which instance (consumer host) owns each partition of orders in the group; none for unowned ones. */
    private static Map<Integer, String> partitionOwners(String group) {
        Map<Integer, String> owners = new TreeMap<>();
        for (String[] columns : describeOnOrders(group)) {
            // ... CONSUMER-ID HOST CLIENT-ID, "-" for a partition no member owns
            if (columns.length >= 8 && !columns[6].equals("-")) {
                owners.put(Integer.parseInt(columns[2]), columns[7]);
            }
        }
        return owners;
    }

    /** The relay role ("leader", "standby") of one instance, from its health on the unpublished management port. */
    private static String relayRole(String service, int index) {
        Compose.Result health = compose.tryRun(
                Duration.ofSeconds(30),
                "exec",
                "-T",
                "--index",
                Integer.toString(index),
                service,
                "curl",
                "-sS",
                "localhost:9080/actuator/health/outboxRelay");
        if (health.exitCode() != 0) {
            return "down";
        }
        return Shop.json(health.output()).path("details").path("role").asString("down");
    }

    private static String spanName(JsonNode span) {
        return span.path("localEndpoint").path("serviceName").asString() + " "
                + span.path("name").asString();
    }

    /** The ids of a span's parent, its parent, and so on, as far as the trace has them. */
    private static List<String> ancestors(JsonNode span, Map<String, JsonNode> byId) {
        List<String> ids = new ArrayList<>();
        for (JsonNode parent = byId.get(span.path("parentId").asString());
                parent != null && !ids.contains(parent.path("id").asString());
                parent = byId.get(parent.path("parentId").asString())) {
            ids.add(parent.path("id").asString());
        }
        return ids;
    }

    private static Map<String, Integer> stockLevels() {
        return PRODUCTS.stream().collect(Collectors.toMap(product -> product, shop::available));
    }

    private static Map<String, String> statuses(Iterable<String> ids) {
        Map<String, String> statuses = new LinkedHashMap<>();
        ids.forEach(id -> statuses.put(id, shop.orderStatus(id)));
        return statuses;
    }

    private static Map<String, List<String>> mailSubjects(Iterable<String> recipients) {
        Map<String, List<String>> subjects = new LinkedHashMap<>();
        recipients.forEach(recipient -> subjects.put(
                recipient, shop.mailSubjects(recipient).stream().sorted().toList()));
        return subjects;
    }
}
