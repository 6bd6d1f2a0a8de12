/**
 * The outbox relay: an embedded Debezium engine reads the {@code outbox} table through PostgreSQL logical
 * decoding and sends each event to Kafka ({@link dev.shopflow.relay.KafkaSink}), one leader among replicas
 * ({@link dev.shopflow.relay.RelayLeadership}), a batch marked done only once Kafka acknowledged all of it; with
 * what keeps it honest: the slot and offset checks, parked events, retention of relayed rows, metrics and health.
 */
@NullMarked
package dev.shopflow.relay;

import org.jspecify.annotations.NullMarked;
