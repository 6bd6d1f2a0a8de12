package dev.shopflow.observability;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Exports spans to Zipkin only when there is a Zipkin to take them: when {@value #ENDPOINT} is set and its host
 * resolves at start-up. Spring Boot would otherwise send to {@code localhost:9411} by default, and a service whose
 * endpoint names a Zipkin that is not running (the compose stack without its {@code ops} profile) would fail an
 * export every few seconds. An explicit {@value #ENABLED} is left as it is.
 *
 * <p>Spans are created and logged (trace ids in every log line) either way; this only decides where they go.
 */
public final class ZipkinExportSwitch implements EnvironmentPostProcessor {

    static final String ENABLED = "management.tracing.export.zipkin.enabled";
    static final String ENDPOINT = "management.tracing.export.zipkin.endpoint";

    private final Log log;

    public ZipkinExportSwitch(DeferredLogFactory logs) {
        this.log = logs.getLog(ZipkinExportSwitch.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.containsProperty(ENABLED)) {
            return;
        }
        environment
                .getPropertySources()
                .addLast(new MapPropertySource(
                        "zipkinExportSwitch", Map.of(ENABLED, decide(environment.getProperty(ENDPOINT, "")))));
    }

    private boolean decide(String endpoint) {
        if (endpoint.isBlank()) {
            log.info("Spans are not exported to Zipkin: " + ENDPOINT + " is not set");
            return false;
        }
        String host;
        try {
            host = URI.create(endpoint).getHost();
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(ENDPOINT + " is not a URL: " + endpoint, e);
        }
        if (host == null) {
            throw new IllegalStateException(ENDPOINT + " has no host: " + endpoint);
        }
        try {
            InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            log.warn("Spans are not exported to Zipkin: " + host + " (" + ENDPOINT + "=" + endpoint
                    + ") does not resolve; start Zipkin (compose: --profile ops) and restart the service to export");
            return false;
        }
        log.info("Spans are exported to Zipkin at " + endpoint);
        return true;
    }
}
