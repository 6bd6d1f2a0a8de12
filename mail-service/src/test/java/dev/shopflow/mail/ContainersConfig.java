package dev.shopflow.mail;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistrar;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** PostgreSQL, Kafka and a real SMTP server (GreenMail, whose received mails can be read over HTTP). */
@TestConfiguration(proxyBeanMethods = false)
class ContainersConfig {

    static final int SMTP = 3025;
    static final int API = 8080;

    @Bean
    @ServiceConnection
    PostgreSQLContainer postgres() {
        return new PostgreSQLContainer("postgres:17");
    }

    @Bean
    @ServiceConnection
    KafkaContainer kafka() {
        return new KafkaContainer("apache/kafka:4.2.2");
    }

    @Bean
    GenericContainer<?> greenMail() {
        return new GenericContainer<>("greenmail/standalone:2.1.8")
                .withExposedPorts(SMTP, API)
                .waitingFor(Wait.forHttp("/api/service/readiness").forPort(API));
    }

    @Bean
    DynamicPropertyRegistrar smtpProperties(GenericContainer<?> greenMail) {
        return registry -> {
            registry.add("spring.mail.host", greenMail::getHost);
            registry.add("spring.mail.port", () -> greenMail.getMappedPort(SMTP));
        };
    }
}
