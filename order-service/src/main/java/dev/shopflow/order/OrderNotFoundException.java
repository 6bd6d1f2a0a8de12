package dev.shopflow.order;

import java.util.UUID;

class OrderNotFoundException extends RuntimeException {

    OrderNotFoundException(UUID id) {
        super("No order with id " + id);
    }
}
