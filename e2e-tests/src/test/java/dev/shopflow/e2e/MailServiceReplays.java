package dev.shopflow.e2e;

import static dev.shopflow.e2e.Customers.SETTLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shopflow.e2e.EndToEndOrders.Order;
import dev.shopflow.e2e.EndToEndOrders.Outcome;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * The two replays of {@code orders} for mail-service that the README documents, as {@link SystemEndToEndTest} runs
 * them on the compose stack: each checks what mail-service sends again, and what it must not.
 */
final class MailServiceReplays {

    private final Compose compose;
    private final Shop shop;
    private final Customers customers;
    private final KafkaGroups groups;

    MailServiceReplays(Compose compose, Shop shop, Customers customers) {
        this.compose = compose;
        this.shop = shop;
        this.customers = customers;
        this.groups = new KafkaGroups(compose);
    }

    /**
     * The replay documented in the README: stop mail-service, reset its group on {@code orders} to the earliest
     * offset with the Kafka CLI, start it. It reads every event again and mails nothing twice.
     */
    void replayOrdersForMailService(int acceptedOrders) {
        compose.run(Duration.ofMinutes(1), "stop", "mail-service");
        await("offsets of mail-service reset (the group has no members once stopped)")
                .atMost(Duration.ofMinutes(2))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> groups.resetOffsets("mail-service", "orders", "--to-earliest")
                                .exitCode()
                        == 0);
        assertThat(groups.lag("mail-service"))
                .as("records of orders to read again: an OrderPlaced and an outcome per order, at least")
                .isGreaterThanOrEqualTo(2L * acceptedOrders);

        compose.startAgain(Duration.ofMinutes(1), "mail-service");
        await("mail-service read orders again to the end")
                .atMost(SETTLE)
                .pollInterval(Duration.ofSeconds(3))
                .until(() -> groups.lag("mail-service") == 0);
    }

    /**
     * The project's own replay with reprocess, as the README documents it: mail-service re-reads {@code orders}
     * from a time T and sends again exactly the mails of the events at or after T. stock-service is not involved:
     * stock levels and its group's offsets stay as they were.
     */
    void resendTheMailsOfEventsFromATime(Map<String, List<String>> earlierMails) {
        Instant from = Instant.now();
        List<Order> late = List.of(
                EndToEndOrders.order("late-0", Map.of("SKU-2002", 1), Outcome.CONFIRMED),
                EndToEndOrders.order("late-1", Map.of("SKU-1001", 1), Outcome.CONFIRMED),
                EndToEndOrders.order("late-2", Map.of("SKU-2002", 2), Outcome.CONFIRMED));
        Map<String, List<String>> lateMails = new LinkedHashMap<>();
        for (Order order : late) {
            HttpResponse<String> response = customers.placeRetrying(order);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
            String id = Shop.json(response.body()).path("id").asString();
            lateMails.put(order.email(), EndToEndOrders.mails(id, Outcome.CONFIRMED));
        }
        await("the late orders mailed, and both groups caught up")
                .atMost(SETTLE)
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> customers.mailSubjects(lateMails.keySet()).equals(lateMails)
                        && groups.lag("mail-service") == 0
                        && groups.lag("stock-service") == 0);
        Map<String, Integer> stock = customers.stockLevels();
        Map<Integer, Long> stockServiceOffsets = groups.committedOffsets("stock-service");

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
                .until(() ->
                        customers.mailSubjects(lateMails.keySet()).equals(twice) && groups.lag("mail-service") == 0);
        assertThat(customers.mailSubjects(earlierMails.keySet()))
                .as("no mail of an event before the replay's start sent again")
                .isEqualTo(earlierMails);
        assertThat(customers.stockLevels()).isEqualTo(stock);
        assertThat(groups.committedOffsets("stock-service")).isEqualTo(stockServiceOffsets);
    }
}
