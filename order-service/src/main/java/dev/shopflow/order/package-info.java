/** Order placement: the HTTP API and the transaction that writes an order together with its OrderPlaced event. */
@NullMarked
package dev.shopflow.order;

import org.jspecify.annotations.NullMarked;
