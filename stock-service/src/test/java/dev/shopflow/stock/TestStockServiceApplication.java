package dev.shopflow.stock;

import org.springframework.boot.SpringApplication;

/** Runs stock-service locally against a PostgreSQL container. */
class TestStockServiceApplication {

    public static void main(String[] args) {
        SpringApplication.from(StockServiceApplication::main)
                .with(ContainersConfig.class)
                .run(args);
    }
}
