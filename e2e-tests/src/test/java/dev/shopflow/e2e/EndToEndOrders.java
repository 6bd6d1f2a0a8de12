package dev.shopflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The orders {@link SystemEndToEndTest} places: their bodies, Idempotency-Keys and recipients (each order one of its
 * own, so that its mails can be counted), what each should come to, and the mails an accepted order gets.
 */
final class EndToEndOrders {

    static final String LINE_OBJECT = "{\"productId\":\"SKU-2002\",\"quantity\":1,\"unitPrice\":5.00}";

    private static final String RECEIVED = "We received your order";
    private static final String CONFIRMED = "Your order is confirmed";
    private static final String NOT_FULFILLED = "Your order could not be fulfilled";
    private static final String LINE = "[" + LINE_OBJECT + "]";
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    private EndToEndOrders() {}

    enum Outcome {
        CONFIRMED,
        REJECTED,
        INVALID
    }

    record Order(String key, String body, Outcome expected, String email, Map<String, Integer> quantities) {}

    /**
     * More than 100 orders: valid ones (each with a recipient of its own, so its mails can be counted), one that
     * asks for more than is in stock together with a line that is in stock (all or none: neither is reserved), and
     * invalid ones mixed in.
     */
    static List<Order> orders(Map<String, Integer> stock) {
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

    static Order order(String name, Map<String, Integer> quantities, Outcome expected) {
        String email = email(name);
        List<Map<String, Object>> lines = quantities.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(line -> Map.<String, Object>of(
                        "productId", line.getKey(), "quantity", line.getValue(), "unitPrice", new BigDecimal("5.00")))
                .toList();
        String body = Shop.toJson(Map.of("customerId", "customer-" + name, "customerEmail", email, "lines", lines));
        return new Order(key(name), body, expected, email, quantities);
    }

    /** A body with these lines, and %s where the recipient goes. */
    static String body(String lines) {
        return "{\"customerId\":\"c\",\"customerEmail\":\"%s\",\"lines\":[" + lines + "]}";
    }

    /** @param template the body, with %s where the (valid, own) recipient goes */
    private static Order invalid(String name, String template) {
        String email = email(name);
        return new Order(key(name), template.formatted(email), Outcome.INVALID, email, Map.of());
    }

    static String key(String name) {
        return "e2e-" + RUN + "-" + name;
    }

    static String email(String name) {
        return name + "-" + RUN + "@e2e.shopflow.dev";
    }

    /** The subjects of the two mails an accepted order gets, sorted: its receipt, and its outcome. */
    static List<String> mails(String id, Outcome outcome) {
        return Stream.of(RECEIVED, outcome == Outcome.CONFIRMED ? CONFIRMED : NOT_FULFILLED)
                .map(subject -> subject + " (" + id + ")")
                .sorted()
                .toList();
    }
}
