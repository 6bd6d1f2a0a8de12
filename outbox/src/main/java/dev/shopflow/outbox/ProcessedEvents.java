package dev.shopflow.outbox;

import java.sql.Timestamp;
import java.time.Instant;
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
     * Claims the event for the group. Concurrent deliveries of one event serialize on its key: the second waits
     * for the first to commit and then finds it.
     *
     * @return true the first time; false when the group handled the event before
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public boolean firstTime(String consumerGroup, UUID eventId) {
        return jdbc.sql("""
                        insert into processed_events (consumer_group, event_id, processed_at)
                        values (:group, :eventId, :now)
                        on conflict do nothing""")
                        .param("group", consumerGroup)
                        .param("eventId", eventId)
                        .param("now", Timestamp.from(Instant.now()))
                        .update()
                == 1;
    }
}
