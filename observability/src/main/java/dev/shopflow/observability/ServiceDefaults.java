package dev.shopflow.observability;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

/**
 * The settings every shopflow service shares ({@value #FILE}: ports and graceful shutdown, the actuator and
 * tracing, Kafka client defaults, topic partitions and retention, the admin API), kept in one file instead of
 * copied into each service's {@code application.yml}, where copies drift apart. This module ships it because every
 * service depends on it.
 *
 * <p>The file is added below every other property source, so a service's own {@code application.yml}, a profile,
 * an environment variable or a command-line argument overrides any value in it. It is not a
 * {@code spring.config.import}: an imported file overrides the file that imports it, and these are defaults. It is
 * added right after Spring Boot reads the application's config files, before {@link ZipkinExportSwitch} looks for
 * the Zipkin endpoint named here.
 */
public final class ServiceDefaults implements EnvironmentPostProcessor, Ordered {

    static final String FILE = "shopflow-defaults.yml";
    static final String SOURCE_NAME = "shopflowServiceDefaults";

    @Override
    public int getOrder() {
        return ConfigDataEnvironmentPostProcessor.ORDER + 1;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        try {
            for (PropertySource<?> defaults : new YamlPropertySourceLoader()
                    .load(SOURCE_NAME, new ClassPathResource(FILE, ServiceDefaults.class.getClassLoader()))) {
                environment.getPropertySources().addLast(defaults);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + FILE, e);
        }
    }
}
