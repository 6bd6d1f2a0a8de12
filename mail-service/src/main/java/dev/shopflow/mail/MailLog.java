package dev.shopflow.mail;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Which event's mail was sent. The claim and the SENT mark happen in one transaction that stays open while the
 * mails go out: the claimed rows stay locked, so a concurrent second delivery of the same event waits for the
 * first to commit and then finds it SENT.
 */
@Repository
class MailLog {

    private final JdbcClient jdbc;

    MailLog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A mail about to be sent for an event. */
    record Claim(UUID eventId, UUID orderId, MailKind kind, String recipient, EventSource source) {}

    /**
     * Claims the mails, one statement for all. An event is claimed on a first attempt, on a retry of an attempt
     * that never reached SENT, and when a replay with reprocess marked it RESEND; not when it was sent before (a
     * redelivered event) or while another transaction holds its claim (it waits for that one to end).
     *
     * @param claims at most one per event
     * @return the events whose mail is to be sent now, each with the time of its first attempt
     */
    @Transactional(propagation = Propagation.MANDATORY)
    Map<UUID, Instant> claim(Collection<Claim> claims) {
        if (claims.isEmpty()) {
            return Map.of();
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        // in event-id order, so two transactions claiming overlapping batches lock the rows in the same order
        List<Object[]> rows = claims.stream()
                .sorted(Comparator.comparing(Claim::eventId))
                .map(claim -> new Object[] {
                    claim.eventId(),
                    claim.orderId(),
                    claim.kind().name(),
                    claim.recipient(),
                    "SENDING",
                    1,
                    now,
                    claim.source().topic(),
                    claim.source().partition(),
                    claim.source().offset()
                })
                .toList();
        Map<UUID, Instant> claimed = new HashMap<>();
        jdbc.sql("""
                        insert into mail_log (event_id, order_id, kind, recipient, status, attempts, created_at,
                                              source_topic, source_partition, source_offset)
                        values :rows
                        on conflict (event_id) do update set attempts = mail_log.attempts + 1, status = 'SENDING'
                            where mail_log.status in ('SENDING', 'RESEND')
                        returning event_id, created_at""")
                .param("rows", rows)
                .query((row, n) -> claimed.put(
                        row.getObject(1, UUID.class),
                        row.getObject(2, OffsetDateTime.class).toInstant()))
                .list();
        return claimed;
    }

    /**
     * Sets a mail aside that the recipient's side keeps refusing for now: the deferred-mail job ({@link
     * DeferredMails}) sends the message as it is at {@code nextAttempt}. A redelivered event does not claim it.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    void defer(UUID eventId, byte[] message, Instant nextAttempt, String error) {
        jdbc.sql("""
                        update mail_log set status = 'DEFERRED', message = :message, next_attempt_at = :next,
                                            last_error = :error
                        where event_id = :eventId""")
                .param("eventId", eventId)
                .param("message", message)
                .param("next", OffsetDateTime.ofInstant(nextAttempt, ZoneOffset.UTC))
                .param("error", error)
                .update();
    }

    /** A mail the SMTP server accepted, and when. */
    record Sent(UUID eventId, Instant at) {}

    @Transactional(propagation = Propagation.MANDATORY)
    void markSent(List<Sent> sent) {
        if (sent.isEmpty()) {
            return;
        }
        jdbc.sql("""
                        update mail_log set status = 'SENT', sent_at = cast(sent.at as timestamptz)
                        from (values :sent) as sent (event_id, at)
                        where mail_log.event_id = sent.event_id""")
                .param(
                        "sent",
                        sent.stream()
                                .map(mail -> new Object[] {
                                    mail.eventId(), OffsetDateTime.ofInstant(mail.at(), ZoneOffset.UTC)
                                })
                                .toList())
                .update();
    }
}
