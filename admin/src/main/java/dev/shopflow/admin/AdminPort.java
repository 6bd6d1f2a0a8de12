package dev.shopflow.admin;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.apache.catalina.connector.Connector;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.servlet.context.ServletWebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code /admin/**} on a port of its own ({@code shopflow.admin.port}), a second connector of the application's
 * Tomcat: a gateway or load balancer that publishes the application's port never publishes the admin endpoints,
 * and an operator reaches them from inside the network. Each port serves only its own: {@code /admin/**} on the
 * application's port, and anything else on the admin port, answer 404 before any security or controller runs.
 * The port taken is published as {@code local.admin.port}, as Boot publishes {@code local.server.port}.
 */
final class AdminPort extends OncePerRequestFilter
        implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>,
                ApplicationListener<ServletWebServerInitializedEvent> {

    private final Connector connector;
    private final ConfigurableEnvironment environment;
    private volatile int localPort = -1;

    AdminPort(int port, ConfigurableEnvironment environment) {
        this.connector = new Connector(TomcatServletWebServerFactory.DEFAULT_PROTOCOL);
        this.connector.setPort(port);
        this.environment = environment;
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addAdditionalConnectors(connector);
    }

    @Override
    public void onApplicationEvent(ServletWebServerInitializedEvent event) {
        int port = connector.getLocalPort();
        if (port <= 0) {
            return; // another server (the management one) started first
        }
        localPort = port;
        environment
                .getPropertySources()
                .addFirst(new MapPropertySource("shopflow.admin.port", Map.of("local.admin.port", port)));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        boolean admin = path.equals("/admin") || path.startsWith("/admin/");
        boolean onAdminPort = request.getLocalPort() == localPort;
        if (admin != onAdminPort) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        chain.doFilter(request, response);
    }
}
