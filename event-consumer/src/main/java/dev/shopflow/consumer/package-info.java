/**
 * How a shopflow service consumes events: {@link dev.shopflow.consumer.EventBatches} decodes a poll batch, skips
 * what {@link dev.shopflow.consumer.ProcessedEvents} says was done before and names the one record that failed;
 * {@link dev.shopflow.consumer.FailedEventsConfiguration} retries transient failures in place and sends
 * poison records to the group's dead-letter topic.
 */
@NullMarked
package dev.shopflow.consumer;

import org.jspecify.annotations.NullMarked;
