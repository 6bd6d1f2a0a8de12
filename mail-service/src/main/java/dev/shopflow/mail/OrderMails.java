package dev.shopflow.mail;

import dev.shopflow.consumer.EventBatchHandler;
import dev.shopflow.events.OrderEvent;
import jakarta.mail.MessagingException;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Sends the mails a poll batch of order events asks for, at most once per event once it is SENT.
 *
 * <p>SMTP cannot join a database transaction, so the batch's transaction is held around the conversation: the
 * claims (SENDING) are written and locked first, the mails go out over the thread's kept-open connection, then
 * SENT is written and everything commits. A concurrent second delivery of an event waits on its claim and finds
 * it SENT. Only a crash (or a lost database) between the server accepting a mail and the commit mails it again;
 * every mail carries a {@code Message-ID} made from its event id, so such a duplicate is recognisable.
 *
 * <p>When a mail fails, the mails before it are marked SENT and commit, and that event fails: 4xx replies,
 * timeouts and lost connections are transient (retried in place), a 5xx reply is permanent for that mail
 * (dead-lettered). A mail that the recipient's side keeps refusing for now (a 4xx reply) for longer than {@code
 * shopflow.mail.deferred.after} is deferred instead ({@link SmtpFailures#deferral}): kept in the mail log, sent
 * later by {@link DeferredMails}, and the partition moves on. An outage of the SMTP server itself (no connection,
 * 421, or every mail refused) is never deferred: the consumer pauses until it is over.
 */
@Service
class OrderMails {

    private static final Logger log = LoggerFactory.getLogger(OrderMails.class);

    private final SmtpConnections smtp;
    private final MailLog mailLog;
    private final DeferredMails deferredMails;
    private final OrderMailComposer composer;
    private final Duration deferAfter;
    /** When the SMTP server last accepted a mail from this instance. */
    private final AtomicReference<Instant> lastAccepted = new AtomicReference<>(Instant.EPOCH);

    OrderMails(
            SmtpConnections smtp,
            MailLog mailLog,
            DeferredMails deferredMails,
            OrderMailComposer composer,
            MailProperties properties) {
        this.smtp = smtp;
        this.mailLog = mailLog;
        this.deferredMails = deferredMails;
        this.composer = composer;
        this.deferAfter = properties.deferred().after();
    }

    /** Runs inside the batch's transaction ({@link dev.shopflow.consumer.EventBatches}). */
    Optional<EventBatchHandler.Failure> send(List<EventBatchHandler.Received> batch) {
        Map<UUID, Pending> pending = new LinkedHashMap<>(); // the first delivery of each event in the batch
        for (int i = 0; i < batch.size(); i++) {
            EventBatchHandler.Received received = batch.get(i);
            OrderEvent event = (OrderEvent) received.event(); // EventBatches lets only order events through here
            pending.putIfAbsent(
                    event.eventId(),
                    new Pending(i, event, OrderMailComposer.mail(event), EventSource.of(received.record())));
        }
        Map<UUID, Instant> claimed =
                mailLog.claim(pending.values().stream().map(Pending::claim).toList());
        List<MailLog.Sent> sent = new ArrayList<>();
        Set<UUID> skipped = new HashSet<>(pending.keySet());
        skipped.removeAll(claimed.keySet());
        if (!skipped.isEmpty()) {
            log.info("Mails for events {} were sent before (or are deferred); not sending again", skipped);
        }
        for (Pending mail : pending.values()) {
            UUID eventId = mail.event().eventId();
            if (!claimed.containsKey(eventId)) {
                continue;
            }
            MimeMessage message = null;
            try {
                Transport connection = smtp.connection();
                message = composer.message(mail.event(), mail.mail());
                connection.sendMessage(message, message.getAllRecipients());
                Instant now = Instant.now();
                sent.add(new MailLog.Sent(eventId, now));
                lastAccepted.set(now);
            } catch (MessagingException | RuntimeException e) {
                smtp.discard();
                Optional<String> deferral =
                        SmtpFailures.deferral(e, claimed.get(eventId), Instant.now(), deferAfter, lastAccepted.get());
                if (message != null && deferral.isPresent()) {
                    deferredMails.defer(eventId, message, claimed.get(eventId), deferral.get());
                    continue;
                }
                mailLog.markSent(sent);
                return Optional.of(new EventBatchHandler.Failure(mail.index(), SmtpFailures.classify(e)));
            }
        }
        mailLog.markSent(sent);
        return Optional.empty();
    }

    /** @param index the event's position in the batch */
    private record Pending(int index, OrderEvent event, OrderMailComposer.Mail mail, EventSource source) {

        MailLog.Claim claim() {
            return new MailLog.Claim(event.eventId(), event.orderId(), mail.kind(), mail.recipient(), source);
        }
    }
}
