package dev.shopflow.stock;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.Optional;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
class ProductController {

    private final JdbcClient jdbc;

    ProductController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    record ProductStock(String id, String name, int available) {}

    record Restock(@NotNull @Min(1) @Max(1_000_000) Integer quantity) {}

    @GetMapping("/products/{id}")
    ResponseEntity<ProductStock> stock(@PathVariable String id) {
        return ResponseEntity.of(find(id));
    }

    /** Adds stock to a product; answers with the new level. */
    @PostMapping("/admin/products/{id}/restock")
    ResponseEntity<ProductStock> restock(@PathVariable String id, @Valid @RequestBody Restock restock) {
        int updated = jdbc.sql(
                        "update products set available = available + :quantity, updated_at = now() where id = :id")
                .param("quantity", restock.quantity())
                .param("id", id)
                .update();
        return updated == 0 ? ResponseEntity.notFound().build() : ResponseEntity.of(find(id));
    }

    private Optional<ProductStock> find(String id) {
        return jdbc.sql("select id, name, available from products where id = :id")
                .param("id", id)
                .query(ProductStock.class)
                .optional();
    }
}
