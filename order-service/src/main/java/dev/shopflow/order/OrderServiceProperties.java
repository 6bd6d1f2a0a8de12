package dev.shopflow.order;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** @param maxRequestBytes requests with a larger body are refused with 413 before they are parsed */
@ConfigurationProperties("shopflow.orders")
record OrderServiceProperties(DataSize maxRequestBytes) {}
