package dev.shopflow.admin.ownport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The admin endpoints on a port of their own, on a real Tomcat: the application's port (the one a gateway
 * publishes) does not serve them, and failed logins are limited per client address.
 */
@SpringBootTest(
        classes = AdminPortTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "shopflow.admin.enabled=true",
            "shopflow.admin.password=s3cret",
            "shopflow.admin.port=0",
            "shopflow.admin.failed-logins-per-minute=3"
        })
class AdminPortTests {

    @SpringBootApplication
    static class App {

        @Bean
        SecurityFilterChain appSecurity(HttpSecurity http) throws Exception {
            return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                    .build();
        }

        @RestController
        static class Endpoints {

            @GetMapping("/admin/ping")
            String adminPing() {
                return "admin pong";
            }

            @GetMapping("/hello")
            String hello() {
                return "hello";
            }
        }
    }

    @Value("${local.server.port}")
    int port;

    @Value("${local.admin.port}")
    int adminPort;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theAdminEndpointsAreServedOnTheAdminPortOnlyAndNothingElseIsServedThere() throws Exception {
        assertThat(adminPort).isPositive().isNotEqualTo(port);

        assertThat(get(port, "/admin/ping", "admin:s3cret").statusCode())
                .as("the application's port, which a gateway publishes")
                .isEqualTo(404);
        assertThat(get(port, "/hello", null).statusCode()).isEqualTo(200);
        HttpResponse<String> admin = get(adminPort, "/admin/ping", "admin:s3cret");
        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(admin.body()).isEqualTo("admin pong");
        assertThat(get(adminPort, "/admin/ping", null).statusCode()).isEqualTo(401);
        assertThat(get(adminPort, "/hello", null).statusCode()).isEqualTo(404);
    }

    @Test
    void afterTooManyFailedLoginsAnAddressIsRefusedWithoutCheckingThePassword() throws Exception {
        // the minute may turn during the test, which starts a new count: retry the whole sequence once then
        for (int attempt = 0; ; attempt++) {
            for (int i = 0; i < 3; i++) {
                assertThat(get(adminPort, "/admin/ping", "admin:guess-" + i).statusCode())
                        .isEqualTo(401);
            }
            HttpResponse<String> refused = get(adminPort, "/admin/ping", "admin:s3cret");
            if (refused.statusCode() != 429 && attempt == 0) {
                continue;
            }
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(Long.parseLong(
                            refused.headers().firstValue("Retry-After").orElseThrow()))
                    .isBetween(1L, 60L);
            return;
        }
    }

    private HttpResponse<String> get(int port, String path, String credentials) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
        if (credentials != null) {
            request.header(
                    "Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
