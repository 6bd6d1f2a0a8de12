/**
 * Transactional outbox: {@link dev.shopflow.outbox.OutboxWriter} appends an event to the {@code outbox} table
 * inside the caller's database transaction, so the business change and its event commit together or not at all.
 */
@NullMarked
package dev.shopflow.outbox;

import org.jspecify.annotations.NullMarked;
