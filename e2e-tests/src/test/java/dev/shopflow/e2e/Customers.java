package dev.shopflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shopflow.e2e.EndToEndOrders.Order;
import dev.shopflow.e2e.EndToEndOrders.Outcome;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;

/**
 * {@link SystemEndToEndTest}'s customers: each sends an order again, with the same Idempotency-Key, until
 * order-service answers with anything but a server error, as a client should; and sees what became of it: statuses,
 * mails, stock levels.
 */
final class Customers {

    /** How long an order may take to be answered, decided or mailed. */
    static final Duration SETTLE = Duration.ofMinutes(3);

    private final Shop shop;
    private final Compose compose;
    private final AtomicInteger unanswered = new AtomicInteger();

    Customers(Shop shop, Compose compose) {
        this.shop = shop;
        this.compose = compose;
    }

    /** The attempts that got no answer but a server error, or none at all. */
    int unanswered() {
        return unanswered.get();
    }

    /**
     * Places every order, each until answered, and returns the accepted ones' ids; an invalid order must be refused
     * with a problem. {@code halfway} runs before the middle order is sent: orders sent while the service it stopped
     * is down fail and are retried with the same Idempotency-Key until accepted, as a client should.
     */
    Map<Order, String> placeAll(List<Order> orders, Consumer<Order> halfway) {
        Map<Order, String> accepted = new LinkedHashMap<>();
        int half = orders.size() / 2;
        for (int i = 0; i < orders.size(); i++) {
            Order order = orders.get(i);
            if (i == half) {
                halfway.accept(order);
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
    HttpResponse<String> placeRetrying(Order order) {
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

    Map<String, Integer> stockLevels() {
        return OrderTraffic.products().stream().collect(Collectors.toMap(product -> product, shop::available));
    }

    Map<String, String> statuses(Iterable<String> ids) {
        Map<String, String> statuses = new LinkedHashMap<>();
        ids.forEach(id -> statuses.put(id, shop.orderStatus(id)));
        return statuses;
    }

    /** Each recipient's mails' subjects, sorted. */
    Map<String, List<String>> mailSubjects(Iterable<String> recipients) {
        Map<String, List<String>> subjects = new LinkedHashMap<>();
        recipients.forEach(recipient -> subjects.put(
                recipient, shop.mailSubjects(recipient).stream().sorted().toList()));
        return subjects;
    }
}
