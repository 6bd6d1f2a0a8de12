package dev.shopflow.order;

import dev.shopflow.testsupport.Containers;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** The real infrastructure order-service needs, in containers; Spring Boot wires the connections. */
@TestConfiguration(proxyBeanMethods = false)
class ContainersConfig {

    /** Logical WAL: the outbox relay reads the outbox through logical decoding. */
    @Bean
    @ServiceConnection
    PostgreSQLContainer postgres() {
        return Containers.relayPostgres();
    }

    @Bean
    @ServiceConnection
    KafkaContainer kafka() {
        return Containers.kafka();
    }
}
