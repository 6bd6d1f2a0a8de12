package dev.shopflow.consumer;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The idempotency guard of every consumer: records {@code (consumer group, event id)} in the transaction of the
 * event's effect, so the effect and the record commit together and a redelivered event finds its record.
 */
public class ProcessedEvents {

    private final JdbcClient jdbc;

    ProcessedEvents(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Claims events for the group, in one statement. Concurrent deliveries of one event serialize on its key: the
     * second waits for the first to commit and then finds it.
     *
     * @return the events handled for the first time now; an id given twice is in it once
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Set<UUID> firstTimes(String consumerGroup, Collection<UUID> eventIds) {
        if (eventIds.isEmpty()) {
            return Set.of();
        }
        // sorted, so two transactions claiming overlapping batches take the key locks in the same order
        Timestamp now = Timestamp.from(Instant.now());
        List<Object[]> rows = eventIds.stream()
                .distinct()
                .sorted()
                .map(id -> new Object[] {consumerGroup, id, now})
                .toList();
        return new HashSet<>(jdbc.sql("""
                        insert into processed_events (consumer_group, event_id, processed_at)
                        values :rows
                        on conflict do nothing
                        returning event_id""").param("rows", rows).query(UUID.class).list());
    }
}
