package dev.shopflow.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shopflow.events.StockReserved;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What order-service tells Prometheus about its orders ({@code /actuator/prometheus}): how many are in each status,
 * how long the oldest pending one has waited, and how long orders take to settle.
 */
class OrderMetricsTests extends RelayIntegrationTest {

    @Autowired
    OrderStatusMetrics statusMetrics;

    @Test
    void ordersAreCountedByStatusWithTheAgeOfTheOldestPendingOne() {
        statusMetrics.refresh();
        assertThat(sample("shopflow_orders", "status=\"PENDING\"")).isZero();
        assertThat(sample("shopflow_orders_oldest_pending_age_seconds")).isZero();

        placeOrder();
        placeOrder();
        statusMetrics.refresh();

        assertThat(sample("shopflow_orders", "status=\"PENDING\"")).isEqualTo(2);
        assertThat(sample("shopflow_orders", "status=\"CONFIRMED\"")).isZero();
        assertThat(sample("shopflow_orders", "status=\"REJECTED\"")).isZero();
        assertThat(sample("shopflow_orders_oldest_pending_age_seconds")).isBetween(0.0, 60.0);
    }

    @Test
    void aSettledOrderIsTimedFromPlacementToSettlement() throws Exception {
        double before = sample("shopflow_orders_settle_latency_seconds_count", "status=\"CONFIRMED\"");
        UUID orderId = placeOrder();

        publish(new StockReserved(
                UUID.randomUUID(), orderId, Instant.now(), List.of(new StockReserved.ReservedLine("SKU-1001", 2))));

        await().atMost(Duration.ofSeconds(60))
                .until(() ->
                        sample("shopflow_orders_settle_latency_seconds_count", "status=\"CONFIRMED\"") == before + 1);
        assertThat(api.get("/orders/" + orderId).json().get("status").asString())
                .isEqualTo("CONFIRMED");
        assertThat(sample("shopflow_orders_settle_latency_seconds_sum", "status=\"CONFIRMED\""))
                .isPositive();
        assertThat(sample("shopflow_orders_settle_latency_seconds_bucket", "status=\"CONFIRMED\"", "le=\"+Inf\""))
                .isEqualTo(before + 1);
        statusMetrics.refresh();
        assertThat(sample("shopflow_orders", "status=\"CONFIRMED\"")).isEqualTo(1);
        assertThat(sample("shopflow_orders", "status=\"PENDING\"")).isZero();
    }

    private UUID placeOrder() {
        return UUID.fromString(api.postOrder(VALID_ORDER).json().get("id").asString());
    }

    /** The value of the one sample of {@code metric} with these labels (and maybe others), from a real scrape. */
    private double sample(String metric, String... labels) {
        HttpApi.Response scrape = actuator.get("/actuator/prometheus");
        assertThat(scrape.status()).isEqualTo(200);
        List<String> lines = scrape.raw()
                .body()
                .lines()
                .filter(line -> line.startsWith(metric + "{") || line.startsWith(metric + " "))
                .filter(line -> List.of(labels).stream().allMatch(line::contains))
                .toList();
        assertThat(lines).as("%s%s in the scrape", metric, List.of(labels)).hasSize(1);
        String line = lines.getFirst();
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    private void publish(StockReserved event) throws Exception {
        KafkaProbe.publishOnStock(String.join(",", kafka.getBootstrapServers()), event);
    }
}
