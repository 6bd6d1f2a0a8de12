/** Stock: products, reservations for orders (all lines or none, never below zero), and the events that tell. */
@NullMarked
package dev.shopflow.stock;

import org.jspecify.annotations.NullMarked;
