package dev.shopflow.mail;

import dev.shopflow.testsupport.Containers;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistrar;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** PostgreSQL, Kafka and a real SMTP server (GreenMail, whose received mails can be read over HTTP). */
@TestConfiguration(proxyBeanMethods = false)
class ContainersConfig {

    @Bean
    @ServiceConnection
    PostgreSQLContainer postgres() {
        return Containers.postgres();
    }

    @Bean
    @ServiceConnection
    KafkaContainer kafka() {
        return Containers.kafka();
    }

    @Bean
    GenericContainer<?> greenMail() {
        return Containers.greenMail();
    }

    @Bean
    DynamicPropertyRegistrar smtpProperties(GenericContainer<?> greenMail) {
        return registry -> {
            registry.add("spring.mail.host", greenMail::getHost);
            registry.add("spring.mail.port", () -> greenMail.getMappedPort(Containers.GREENMAIL_SMTP_PORT));
        };
    }
}
