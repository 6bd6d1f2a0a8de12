package dev.shopflow.order;

import dev.shopflow.events.Topics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;

/** An {@link IntegrationTest} that also reads what the relay wrote to the {@code orders} topic. */
abstract class RelayIntegrationTest extends IntegrationTest {

    @Autowired
    KafkaConnectionDetails kafka;

    KafkaProbe orders;

    @BeforeEach
    void readOrdersTopic() {
        orders = new KafkaProbe(String.join(",", kafka.getBootstrapServers()), Topics.ORDERS);
    }

    @AfterEach
    void closeProbe() {
        orders.close();
    }
}
