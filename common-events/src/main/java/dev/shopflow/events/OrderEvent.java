package dev.shopflow.events;

/** Events published by order-service on topic {@value Topics#ORDERS}. */
public sealed interface OrderEvent extends DomainEvent permits OrderPlaced, OrderConfirmed, OrderRejected {}
