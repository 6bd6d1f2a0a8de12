package dev.shopflow.order;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The running service on a random port against real PostgreSQL; every test starts from empty tables. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "shopflow.outbox.relay.heartbeat-interval=1s")
@Import(ContainersConfig.class)
abstract class IntegrationTest {

    static final String VALID_ORDER = """
            {
              "customerId": "customer-42",
              "customerEmail": "ada@example.com",
              "lines": [
                { "productId": "SKU-1001", "quantity": 2, "unitPrice": 19.99 },
                { "productId": "SKU-2002", "quantity": 1, "unitPrice": 5.00 }
              ]
            }
            """;

    @Autowired
    JdbcClient jdbc;

    HttpApi api;

    /** The management port: health, metrics. */
    HttpApi actuator;

    @BeforeEach
    void startFromEmptyTables(
            @Value("${local.server.port}") int port, @Value("${local.management.port}") int managementPort) {
        api = new HttpApi(port);
        actuator = new HttpApi(managementPort);
        jdbc.sql("truncate orders, order_lines, idempotency_keys, outbox, processed_events")
                .update();
    }

    long count(String table) {
        return jdbc.sql("select count(*) from " + table).query(Long.class).single();
    }
}
