/**
 * Dead letters of this service's consumer group: the gauge of those waiting for a re-drive, and the re-drive that
 * publishes them to their topic again.
 */
@NullMarked
package dev.shopflow.admin.deadletter;

import org.jspecify.annotations.NullMarked;
