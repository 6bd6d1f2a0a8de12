package dev.shopflow.stock;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** @param admin who may restock; an empty password disables the admin calls */
@ConfigurationProperties("shopflow.stock")
record StockProperties(Admin admin) {

    record Admin(String username, String password) {}
}
