package dev.shopflow.consumer;

import java.time.Duration;

/**
 * How long a consumer group remembers which events it processed (its dedupe record): an event older than this,
 * read again by a replay, is processed as if new. The replay's dry run compares it with the events it would read.
 *
 * @param kept how long the record is kept
 * @param property the setting that keeps it, for messages
 */
public record DedupeWindow(Duration kept, String property) {}
