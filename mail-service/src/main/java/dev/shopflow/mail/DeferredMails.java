package dev.shopflow.mail;

import dev.shopflow.consumer.PermanentEventFailure;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Mails set aside because the recipient's side refused them for now ({@link SmtpFailures#deferral}), and the job that
 * sends them again, as a mail server's queue does: each at its {@code next_attempt_at}, the delay growing with the
 * time the mail has been waiting (from {@code shopflow.mail.deferred.first-retry} up to {@code max-retry}), until it
 * is accepted (SENT), refused for good (5xx: FAILED) or older than {@code give-up-after} (FAILED). Every instance
 * runs the job; a mail is locked while it is tried ({@code for update skip locked}), so no two send it at once.
 *
 * <p>Seen in {@code shopflow_mail_deferred} (mails waiting), {@code shopflow_mail_deferred_outcomes_total{outcome}}
 * (deferred, sent, failed), WARN and ERROR lines, and {@code GET /admin/mails/deferred}.
 */
@Component
class DeferredMails {

    private static final Logger log = LoggerFactory.getLogger(DeferredMails.class);
    private static final int PER_RUN = 100;

    private final JdbcClient jdbc;
    private final SmtpConnections smtp;
    private final MailLog mailLog;
    private final MailProperties.Deferred settings;
    private final TransactionTemplate transaction;
    private final Counter deferred;
    private final Counter sent;
    private final Counter failed;

    DeferredMails(
            JdbcClient jdbc,
            SmtpConnections smtp,
            MailLog mailLog,
            MailProperties properties,
            PlatformTransactionManager transactions,
            MeterRegistry registry) {
        this.jdbc = jdbc;
        this.smtp = smtp;
        this.mailLog = mailLog;
        this.settings = properties.deferred();
        this.transaction = new TransactionTemplate(transactions);
        Gauge.builder("shopflow.mail.deferred", this, DeferredMails::waiting)
                .description("Mails deferred because the recipient's side refused them for now, waiting to be sent")
                .register(registry);
        this.deferred = outcome(registry, "deferred");
        this.sent = outcome(registry, "sent");
        this.failed = outcome(registry, "failed");
    }

    /** A deferred mail, as the admin API lists it. */
    record Deferred(
            UUID eventId,
            UUID orderId,
            String kind,
            String recipient,
            String status,
            int attempts,
            Instant firstAttempt,
            Instant nextAttempt,
            String lastError) {}

    /** Sets a mail aside (in the caller's transaction); the job sends it later. */
    void defer(UUID eventId, MimeMessage message, Instant firstAttempt, String error) {
        Instant next = Instant.now().plus(delay(firstAttempt, Instant.now()));
        mailLog.defer(eventId, bytes(message), next, error);
        deferred.increment();
        log.warn(
                "Mail for event {} refused for now since {} ({}); deferred, next attempt at {}, the partition moves"
                        + " on",
                eventId,
                firstAttempt,
                error,
                next);
    }

    /** The mails waiting, oldest first: at most 100, and those that failed for good in the last week. */
    List<Deferred> list() {
        return jdbc.sql("""
                        select event_id, order_id, kind, recipient, status, attempts, created_at, next_attempt_at,
                               last_error
                        from mail_log
                        where status = 'DEFERRED' or (status = 'FAILED' and created_at > now() - interval '7 days')
                        order by created_at
                        limit 100""")
                .query((row, n) -> new Deferred(
                        row.getObject("event_id", UUID.class),
                        row.getObject("order_id", UUID.class),
                        row.getString("kind"),
                        row.getString("recipient"),
                        row.getString("status"),
                        row.getInt("attempts"),
                        row.getObject("created_at", OffsetDateTime.class).toInstant(),
                        Optional.ofNullable(row.getObject("next_attempt_at", OffsetDateTime.class))
                                .map(OffsetDateTime::toInstant)
                                .orElse(null),
                        row.getString("last_error")))
                .list();
    }

    /** Tries the deferred mails that are due, one transaction each; stops early when the server cannot be reached. */
    @Scheduled(
            initialDelayString = "${shopflow.mail.deferred.every:15s}",
            fixedDelayString = "${shopflow.mail.deferred.every:15s}")
    void sendDue() {
        for (int i = 0; i < PER_RUN; i++) {
            Boolean goOn = transaction.execute(status -> sendNext());
            if (!Boolean.TRUE.equals(goOn)) {
                return;
            }
        }
    }

    private boolean sendNext() {
        List<Due> due = jdbc.sql("""
                        select event_id, message, created_at from mail_log
                        where status = 'DEFERRED' and next_attempt_at <= now()
                        order by next_attempt_at
                        limit 1
                        for update skip locked""")
                .query((row, n) -> new Due(
                        row.getObject("event_id", UUID.class),
                        row.getBytes("message"),
                        row.getObject("created_at", OffsetDateTime.class).toInstant()))
                .list();
        if (due.isEmpty()) {
            return false;
        }
        Due mail = due.getFirst();
        try {
            MimeMessage message = new MimeMessage(smtp.session(), new ByteArrayInputStream(mail.message()));
            smtp.connection().sendMessage(message, message.getAllRecipients());
        } catch (MessagingException | RuntimeException e) {
            smtp.discard();
            return failed(mail, e);
        }
        jdbc.sql("""
                        update mail_log set status = 'SENT', sent_at = now(), next_attempt_at = null, message = null,
                                            attempts = attempts + 1
                        where event_id = :eventId""").param("eventId", mail.eventId()).update();
        sent.increment();
        log.info("Deferred mail for event {} sent (first attempt {})", mail.eventId(), mail.firstAttempt());
        return true;
    }

    /** Records a failed attempt; false when the server itself could not be reached, to stop this run. */
    private boolean failed(Due mail, Exception error) {
        RuntimeException failure = SmtpFailures.classify(error);
        Instant now = Instant.now();
        String reason = String.valueOf(failure.getMessage()) + ": " + error.getMessage();
        if (failure instanceof PermanentEventFailure
                || mail.firstAttempt().plus(settings.giveUpAfter()).isBefore(now)) {
            jdbc.sql("""
                            update mail_log set status = 'FAILED', next_attempt_at = null, last_error = :error,
                                                attempts = attempts + 1
                            where event_id = :eventId""")
                    .param("eventId", mail.eventId())
                    .param("error", reason)
                    .update();
            failed.increment();
            log.error(
                    "Deferred mail for event {} not delivered ({}), first attempt {}: given up",
                    mail.eventId(),
                    reason,
                    mail.firstAttempt());
            return true;
        }
        Instant next = now.plus(delay(mail.firstAttempt(), now));
        jdbc.sql("""
                        update mail_log set next_attempt_at = :next, last_error = :error, attempts = attempts + 1
                        where event_id = :eventId""")
                .param("eventId", mail.eventId())
                .param("next", OffsetDateTime.ofInstant(next, ZoneOffset.UTC))
                .param("error", reason)
                .update();
        log.warn("Deferred mail for event {} refused again ({}); next attempt at {}", mail.eventId(), reason, next);
        // a reply means the server is there and refused this mail: go on with the others; no reply, stop
        return SmtpFailures.replyCode(error) != null;
    }

    /** The wait before the next attempt: as long as the mail has waited so far, within the configured bounds. */
    Duration delay(Instant firstAttempt, Instant now) {
        Duration waited = Duration.between(firstAttempt, now);
        if (waited.compareTo(settings.firstRetry()) < 0) {
            return settings.firstRetry();
        }
        return waited.compareTo(settings.maxRetry()) > 0 ? settings.maxRetry() : waited;
    }

    private double waiting() {
        return jdbc.sql("select count(*) from mail_log where status = 'DEFERRED'")
                .query(Long.class)
                .single();
    }

    private static byte[] bytes(MimeMessage message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            message.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (MessagingException e) {
            throw new IllegalStateException("Could not keep the deferred mail", e);
        }
        return out.toByteArray();
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("shopflow.mail.deferred.outcomes")
                .description("Mails deferred, and deferred mails sent or given up")
                .tag("outcome", outcome)
                .register(registry);
    }

    private record Due(UUID eventId, byte[] message, Instant firstAttempt) {}
}
