package dev.shopflow.stock;

import dev.shopflow.testsupport.Containers;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

@TestConfiguration(proxyBeanMethods = false)
class ContainersConfig {

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
