/**
 * The event contracts every shopflow service shares.
 *
 * <p>Events are immutable records named in the past tense. Each aggregate's events implement a sealed
 * interface, so a consumer's {@code switch} is exhaustive. On the wire an event is its JSON payload plus
 * a stable type name and schema version (see {@link dev.shopflow.events.EventType}); Java class names
 * never leave the process.
 */
@NullMarked
package dev.shopflow.events;

import org.jspecify.annotations.NullMarked;
