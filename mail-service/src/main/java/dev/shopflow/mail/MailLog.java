package dev.shopflow.mail;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Which event's mail was sent. Each call commits on its own: {@link #claim} before the SMTP conversation, {@link
 * #markSent} after it.
 */
@Repository
class MailLog {

    private final JdbcClient jdbc;

    MailLog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Records that the mail for {@code eventId} is being sent. False when it was sent before: a redelivered event.
     * True for a first attempt, for a retry of an attempt that never reached SENT, and for a mail marked RESEND
     * by a replay with reprocess.
     */
    boolean claim(UUID eventId, UUID orderId, MailKind kind, String recipient, EventSource source) {
        return !jdbc.sql("""
                        insert into mail_log (event_id, order_id, kind, recipient, status, attempts, created_at,
                                              source_topic, source_partition, source_offset)
                        values (:eventId, :orderId, :kind, :recipient, 'SENDING', 1, :now,
                                :topic, :partition, :offset)
                        on conflict (event_id) do update set attempts = mail_log.attempts + 1, status = 'SENDING'
                            where mail_log.status in ('SENDING', 'RESEND')
                        returning event_id""")
                .param("eventId", eventId)
                .param("orderId", orderId)
                .param("kind", kind.name())
                .param("recipient", recipient)
                .param("now", Timestamp.from(Instant.now()))
                .param("topic", source.topic())
                .param("partition", source.partition())
                .param("offset", source.offset())
                .query(UUID.class)
                .list()
                .isEmpty();
    }

    void markSent(UUID eventId) {
        jdbc.sql("update mail_log set status = 'SENT', sent_at = :now where event_id = :eventId")
                .param("eventId", eventId)
                .param("now", Timestamp.from(Instant.now()))
                .update();
    }
}
