package dev.shopflow.stock;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "shopflow.admin.password=s3cret")
@Import(ContainersConfig.class)
class ProductApiTests {

    @Value("${local.server.port}")
    int port;

    @Value("${local.admin.port}")
    int adminPort;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anyoneCanReadStock() throws Exception {
        HttpResponse<String> response =
                send(HttpRequest.newBuilder(uri("/products/SKU-1001")).GET());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"id\":\"SKU-1001\"", "\"available\"");
        assertThat(send(HttpRequest.newBuilder(uri("/products/NOPE")).GET()).statusCode())
                .isEqualTo(404);
    }

    @Test
    void onlyTheAdminCanRestock() throws Exception {
        assertThat(restock("SKU-2002", "{\"quantity\":5}", null).statusCode()).isEqualTo(401);
        assertThat(restock("SKU-2002", "{\"quantity\":5}", "admin:wrong").statusCode())
                .isEqualTo(401);
        int before = available("SKU-2002");

        HttpResponse<String> restocked = restock("SKU-2002", "{\"quantity\":5}", "admin:s3cret");

        assertThat(restocked.statusCode()).isEqualTo(200);
        assertThat(available("SKU-2002")).isEqualTo(before + 5);
    }

    @Test
    void restockRejectsBadQuantitiesAndUnknownProducts() throws Exception {
        assertThat(restock("SKU-2002", "{\"quantity\":0}", "admin:s3cret").statusCode())
                .isEqualTo(400);
        HttpResponse<String> noQuantity = restock("SKU-2002", "{}", "admin:s3cret");
        assertThat(noQuantity.statusCode()).isEqualTo(400);
        assertThat(noQuantity.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(noQuantity.body()).contains("\"status\":400");
        assertThat(restock("NOPE", "{\"quantity\":1}", "admin:s3cret").statusCode())
                .isEqualTo(404);
    }

    private int available(String product) throws Exception {
        String body =
                send(HttpRequest.newBuilder(uri("/products/" + product)).GET()).body();
        return Integer.parseInt(body.replaceAll(".*\"available\":(\\d+).*", "$1"));
    }

    private HttpResponse<String> restock(String product, String body, String credentials) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/admin/products/" + product + "/restock"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (credentials != null) {
            request.header(
                    "Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return send(request);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code /admin/**} on the admin port, anything else on the API port. */
    private URI uri(String path) {
        return URI.create("http://localhost:" + (path.startsWith("/admin/") ? adminPort : port) + path);
    }
}
