package dev.shopflow.order;

import org.springframework.boot.SpringApplication;

/** Runs order-service locally against containers: {@code ./mvnw -pl order-service spring-boot:test-run}. */
class TestOrderServiceApplication {

    public static void main(String[] args) {
        SpringApplication.from(OrderServiceApplication::main)
                .with(ContainersConfig.class)
                .run(args);
    }
}
