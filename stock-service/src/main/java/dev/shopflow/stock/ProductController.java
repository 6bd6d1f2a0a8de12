package dev.shopflow.stock;

import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

@RestController
class ProductController {

    private final JdbcClient jdbc;

    ProductController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    record ProductStock(String id, String name, int available) {}

    @GetMapping("/products/{id}")
    ResponseEntity<ProductStock> stock(@PathVariable String id) {
        return ResponseEntity.of(jdbc.sql("select id, name, available from products where id = :id")
                .param("id", id)
                .query(ProductStock.class)
                .optional());
    }
}
