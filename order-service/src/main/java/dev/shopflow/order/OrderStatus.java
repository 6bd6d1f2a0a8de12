package dev.shopflow.order;

enum OrderStatus {
    PENDING,
    CONFIRMED,
    REJECTED
}
