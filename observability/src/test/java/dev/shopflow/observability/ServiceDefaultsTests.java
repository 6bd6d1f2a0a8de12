package dev.shopflow.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class ServiceDefaultsTests {

    @Test
    void givesAServiceTheSharedSettings() {
        ConfigurableEnvironment environment = withDefaults(Map.of());

        assertThat(environment.getProperty("server.shutdown")).isEqualTo("graceful");
        assertThat(environment.getProperty("management.server.port")).isEqualTo("9080");
        assertThat(environment.getProperty("spring.kafka.consumer.properties[allow.auto.create.topics]"))
                .isEqualTo("false");
        // baggage's propagator cost more than half of the relay's tracing (docs/benchmarks.md)
        assertThat(environment.getProperty("management.tracing.baggage.enabled"))
                .isEqualTo("false");
    }

    @Test
    void yieldsToTheServicesOwnValue() {
        ConfigurableEnvironment environment = withDefaults(Map.of("server.shutdown", "immediate"));

        assertThat(environment.getProperty("server.shutdown")).isEqualTo("immediate");
    }

    @Test
    void takesItsPlaceholdersFromTheEnvironment() {
        ConfigurableEnvironment environment = withDefaults(Map.of("KAFKA_PARTITIONS", "12"));

        assertThat(environment.getProperty("shopflow.kafka.partitions")).isEqualTo("12");
        assertThat(environment.getProperty("spring.kafka.listener.concurrency")).isEqualTo("12");
    }

    @Test
    void isReadByEverySpringApplicationBelowItsArguments() {
        try (ConfigurableApplicationContext context =
                start("--management.server.port=7080", "--ZIPKIN_ENDPOINT=http://localhost:9411/api/v2/spans")) {
            ConfigurableEnvironment environment = context.getEnvironment();

            assertThat(environment.getProperty("management.server.port")).isEqualTo("7080");
            assertThat(environment.getProperty("server.shutdown")).isEqualTo("graceful");
            // read before the Zipkin switch decides, which finds the endpoint named in the defaults
            assertThat(environment.getProperty(ZipkinExportSwitch.ENABLED)).isEqualTo("true");
        }
    }

    private static ConfigurableEnvironment withDefaults(Map<String, Object> service) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("service", service));
        new ServiceDefaults().postProcessEnvironment(environment, new SpringApplication());
        return environment;
    }

    private static ConfigurableApplicationContext start(String... args) {
        SpringApplication application = new SpringApplication(NoBeans.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        return application.run(args);
    }

    @Configuration(proxyBeanMethods = false)
    static class NoBeans {}
}
