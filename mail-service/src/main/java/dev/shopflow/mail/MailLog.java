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
     * True for a first attempt, and for a retry of an attempt that never reached SENT.
     */
    boolean claim(UUID eventId, UUID orderId, MailKind kind, String recipient) {
        return !jdbc.sql("""
                        insert into mail_log (event_id, order_id, kind, recipient, status, attempts, created_at)
                        values (:eventId, :orderId, :kind, :recipient, 'SENDING', 1, :now)
                        on conflict (event_id) do update set attempts = mail_log.attempts + 1
                            where mail_log.status = 'SENDING'
                        returning event_id""")
                .param("eventId", eventId)
                .param("orderId", orderId)
                .param("kind", kind.name())
                .param("recipient", recipient)
                .param("now", Timestamp.from(Instant.now()))
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
