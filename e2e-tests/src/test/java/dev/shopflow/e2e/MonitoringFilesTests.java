package dev.shopflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which metric names the monitoring files' queries use: the PromQL read correctly, and the real files. */
class MonitoringFilesTests {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a plain selector                     | shopflow_outbox_relay_leader == 0                                                  | shopflow_outbox_relay_leader
            aggregation with label list          | max by (service, group) (shopflow_dead_letters_pending) > 0                        | shopflow_dead_letters_pending
            function and range                   | sum without (instance) (increase(shopflow_outbox_relay_send_failures_total[5m])) > 5 | shopflow_outbox_relay_send_failures_total
            histogram quantile, le and numbers   | histogram_quantile(0.99, sum by (le) (rate(x_seconds_bucket[10m]))) > 1e9         | x_seconds_bucket
            label matchers with strings          | rate(http_server_requests_seconds_count{uri!~"/actuator.*", method="GET"}[1m])     | http_server_requests_seconds_count
            label_replace's string arguments     | label_replace(kafka_lag, "group", "$1", "client_id", "consumer-(.+)-[0-9]+")      | kafka_lag
            Grafana variables                    | rate(a_total[$__rate_interval]) / rate(b_total[${interval}])                      | a_total b_total
            binary operators with on and offset  | a and on (service) b offset 5m unless bool c                                     | a b c
            Prometheus' own series left out      | up{job="shopflow"} == 0                                                            | ''
            a function with no metric            | vector(0)                                                                          | ''
            """)
    void readsTheMetricNamesOfAQuery(String description, String promql, String names) {
        assertThat(MonitoringFiles.metricNames(promql))
                .containsExactlyInAnyOrderElementsOf(names.isBlank() ? List.of() : List.of(names.split(" ")));
    }

    @Test
    void singleQuotedAndBacktickStringsAreNotNames() {
        assertThat(MonitoringFiles.metricNames("label_replace(a{b='c d'}, 'x', `y z`, \"w\", '') > 0"))
                .containsExactly("a");
    }

    @Test
    void theAlertsAndTheDashboardUseTheseMetrics() {
        assertThat(MonitoringFiles.metricNames())
                .containsExactlyInAnyOrder(
                        "http_server_requests_seconds_count",
                        "http_server_requests_seconds_max",
                        "http_server_requests_seconds_sum",
                        "kafka_consumer_fetch_manager_records_lag_max",
                        "kafka_consumer_last_poll_seconds_ago",
                        "shopflow_dead_letters_pending",
                        "shopflow_orders",
                        "shopflow_orders_admission_refused_total",
                        "shopflow_orders_oldest_pending_age_seconds",
                        "shopflow_orders_placed_total",
                        "shopflow_orders_settle_latency_seconds_bucket",
                        "shopflow_orders_settle_latency_seconds_count",
                        "shopflow_outbox_relay_events_total",
                        "shopflow_outbox_relay_heartbeat_age_seconds",
                        "shopflow_outbox_relay_lag_seconds_bucket",
                        "shopflow_outbox_relay_leader",
                        "shopflow_outbox_relay_parked",
                        "shopflow_outbox_relay_send_failures_total",
                        "shopflow_outbox_relay_slot_recreated_total",
                        "shopflow_outbox_relay_slot_retained_wal_bytes");
    }

    @Test
    void everyAlertButServiceDownAndEveryPanelQueryUsesAMetricOfTheServices() {
        MonitoringFiles.alertExpressions().forEach((alert, expr) -> {
            if (!alert.equals("ServiceDown")) { // up: made by Prometheus for each target
                assertThat(MonitoringFiles.metricNames(expr))
                        .as(alert)
                        .isNotEmpty()
                        .allMatch(name ->
                                name.startsWith("shopflow_") || name.startsWith("kafka_") || name.startsWith("http_"));
            }
        });
        assertThat(MonitoringFiles.dashboardExpressions())
                .hasSizeGreaterThan(10)
                .allSatisfy(expr ->
                        assertThat(MonitoringFiles.metricNames(expr)).as(expr).isNotEmpty());
    }

    @Test
    void aNameIsMissingWhenNoScrapeHasASampleOfIt() {
        String orderService = """
                # HELP shopflow_outbox_relay_leader 1 while this replica runs the relay
                # TYPE shopflow_outbox_relay_leader gauge
                shopflow_outbox_relay_leader 1.0
                shopflow_orders_settle_latency_seconds_bucket{status="CONFIRMED",le="+Inf"} 3
                """;
        String mailService = "shopflow_dead_letters_pending{group=\"mail-service\",topic=\"orders\"} 0.0\n";

        assertThat(MonitoringFiles.missingFrom(List.of(orderService, mailService)))
                .doesNotContain(
                        "shopflow_outbox_relay_leader",
                        "shopflow_orders_settle_latency_seconds_bucket",
                        "shopflow_dead_letters_pending")
                .contains("shopflow_outbox_relay_parked", "kafka_consumer_fetch_manager_records_lag_max");
        assertThat(MonitoringFiles.missingFrom(List.of(""))).isEqualTo(MonitoringFiles.metricNames());
    }
}
