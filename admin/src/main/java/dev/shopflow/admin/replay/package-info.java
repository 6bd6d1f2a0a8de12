/**
 * Replay: resetting this service's consumer group on one of its topics to an earlier point, planned as a dry run
 * and executed with the service's own listeners paused, never touching another group.
 */
@NullMarked
package dev.shopflow.admin.replay;

import org.jspecify.annotations.NullMarked;
