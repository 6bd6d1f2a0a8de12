package dev.shopflow.events;

/** Events published by stock-service on topic {@value Topics#STOCK}. */
public sealed interface StockEvent extends DomainEvent permits StockReserved, StockRejected {}
