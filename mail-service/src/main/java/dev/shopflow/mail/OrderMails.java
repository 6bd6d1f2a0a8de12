package dev.shopflow.mail;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import dev.shopflow.consumer.EventBatchHandler;
import dev.shopflow.consumer.PermanentEventFailure;
import dev.shopflow.consumer.TransientEventFailure;
import dev.shopflow.events.OrderConfirmed;
import dev.shopflow.events.OrderEvent;
import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.events.OrderRejected;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.ClassPathResource;
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
 * shopflow.mail.deferred.after} is deferred instead ({@link #deferral}): kept in the mail log, sent later by
 * {@link DeferredMails}, and the partition moves on. An outage of the SMTP server itself (no connection, 421, or
 * every mail refused) is never deferred: the consumer pauses until it is over.
 */
@Service
class OrderMails {

    private static final Logger log = LoggerFactory.getLogger(OrderMails.class);

    private final SmtpConnections smtp;
    private final MailLog mailLog;
    private final DeferredMails deferredMails;
    private final Duration deferAfter;
    /** When the SMTP server last accepted a mail from this instance. */
    private final AtomicReference<Instant> lastAccepted = new AtomicReference<>(Instant.EPOCH);

    private final String messageIdDomain;
    private final InternetAddress from;
    private final Map<MailKind, Template> templates = new EnumMap<>(MailKind.class);

    OrderMails(
            SmtpConnections smtp,
            MailLog mailLog,
            DeferredMails deferredMails,
            MailProperties properties,
            Mustache.Compiler mustache) {
        this.smtp = smtp;
        this.mailLog = mailLog;
        this.deferredMails = deferredMails;
        this.deferAfter = properties.deferred().after();
        this.from = sender(properties.from());
        this.messageIdDomain = from.getAddress().substring(from.getAddress().lastIndexOf('@') + 1);
        for (MailKind kind : MailKind.values()) {
            templates.put(kind, compile(mustache, kind.template()));
        }
    }

    /** Runs inside the batch's transaction ({@link dev.shopflow.consumer.EventBatches}). */
    Optional<EventBatchHandler.Failure> send(List<EventBatchHandler.Received> batch) {
        Map<UUID, Pending> pending = new LinkedHashMap<>(); // the first delivery of each event in the batch
        for (int i = 0; i < batch.size(); i++) {
            EventBatchHandler.Received received = batch.get(i);
            OrderEvent event = (OrderEvent) received.event(); // EventBatches lets only order events through here
            pending.putIfAbsent(event.eventId(), new Pending(i, event, mail(event), EventSource.of(received.record())));
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
                message = message(mail);
                connection.sendMessage(message, message.getAllRecipients());
                Instant now = Instant.now();
                sent.add(new MailLog.Sent(eventId, now));
                lastAccepted.set(now);
            } catch (MessagingException | RuntimeException e) {
                smtp.discard();
                Optional<String> deferral =
                        deferral(e, claimed.get(eventId), Instant.now(), deferAfter, lastAccepted.get());
                if (message != null && deferral.isPresent()) {
                    deferredMails.defer(eventId, message, claimed.get(eventId), deferral.get());
                    continue;
                }
                mailLog.markSent(sent);
                return Optional.of(new EventBatchHandler.Failure(mail.index(), classify(e)));
            }
        }
        mailLog.markSent(sent);
        return Optional.empty();
    }

    private static Mail mail(OrderEvent event) {
        return switch (event) {
            case OrderPlaced placed ->
                new Mail(MailKind.ORDER_RECEIVED, placed.customerEmail(), placed.lines(), placed.total(), "");
            case OrderConfirmed confirmed ->
                new Mail(MailKind.ORDER_CONFIRMED, confirmed.customerEmail(), confirmed.lines(), confirmed.total(), "");
            case OrderRejected rejected ->
                new Mail(
                        MailKind.ORDER_NOT_FULFILLED,
                        rejected.customerEmail(),
                        rejected.lines(),
                        rejected.total(),
                        rejected.reason());
        };
    }

    /**
     * Built with the plain JavaMail API: Spring's {@code MimeMessageHelper} parses the MIME types file again for
     * every message it is given, which took half of this service's CPU time when profiled (docs/benchmarks.md).
     */
    private MimeMessage message(Pending mail) throws MessagingException {
        MimeMessage message = new MimeMessage(smtp.session());
        message.setFrom(from);
        message.setRecipients(
                Message.RecipientType.TO, InternetAddress.parse(mail.mail().recipient(), true));
        message.setSubject(
                mail.mail().kind().subject() + " (" + mail.event().orderId() + ")", StandardCharsets.UTF_8.name());
        message.setText(render(mail.mail(), mail.event()), StandardCharsets.UTF_8.name());
        message.setSentDate(new Date());
        message.saveChanges(); // sets a random Message-ID: replaced by the event's own below
        message.setHeader("Message-ID", messageId(mail.event().eventId()));
        return message;
    }

    /** The same for every attempt at one event's mail, so a mailbox can tell a duplicate. */
    String messageId(UUID eventId) {
        return "<" + eventId + "@" + messageIdDomain + ">";
    }

    /**
     * 4xx replies, timeouts and lost connections pass: transient. A 5xx reply or a malformed recipient refuses
     * this mail for good: permanent. Anything else is retried a few times, then dead-lettered.
     */
    static RuntimeException classify(Exception error) {
        if (error instanceof AddressException) {
            return new PermanentEventFailure("Not a mail address: " + error.getMessage(), error);
        }
        Integer code = replyCode(error);
        if (code != null && code >= 500) {
            return new PermanentEventFailure("The SMTP server refused the mail (" + code + ")", error);
        }
        if (code != null || causedByIo(error)) {
            return new TransientEventFailure("SMTP failed" + (code == null ? "" : " (" + code + ")"), error);
        }
        return error instanceof RuntimeException runtime ? runtime : new IllegalStateException(error);
    }

    /**
     * Whether a failed mail is set aside now, and the SMTP answer to keep with it. It is when the server refused
     * this mail for now (a 4xx reply other than 421, which closes the connection), for longer than {@code after}
     * since its first attempt, and the refusal concerns this mail: the recipient was refused (a 4xx to RCPT TO), or
     * the server accepted other mails since this one first failed. Anything else (no connection, timeouts, 421, a
     * server refusing every mail) is the server's outage, and the consumer waits for it instead.
     */
    static Optional<String> deferral(
            Exception error, Instant firstAttempt, Instant now, Duration after, Instant lastAccepted) {
        Integer code = replyCode(error);
        if (code == null
                || code < 400
                || code >= 500
                || code == 421
                || firstAttempt.plus(after).isAfter(now)) {
            return Optional.empty();
        }
        boolean recipientRefused = refusedRecipient(error);
        if (!recipientRefused && !lastAccepted.isAfter(firstAttempt)) {
            return Optional.empty();
        }
        return Optional.of(code + " " + replyText(error));
    }

    private static boolean refusedRecipient(Throwable error) {
        for (Throwable cause = error; cause != null; cause = next(cause)) {
            if (cause instanceof SMTPAddressFailedException) {
                return true;
            }
        }
        return false;
    }

    private static String replyText(Throwable error) {
        for (Throwable cause = error; cause != null; cause = next(cause)) {
            if (cause instanceof SMTPAddressFailedException || cause instanceof SMTPSendFailedException) {
                return String.valueOf(cause.getMessage()).strip();
            }
        }
        return String.valueOf(error.getMessage());
    }

    static Integer replyCode(Throwable error) {
        for (Throwable cause = error; cause != null; cause = next(cause)) {
            if (cause instanceof SMTPSendFailedException failed && failed.getReturnCode() > 0) {
                return failed.getReturnCode();
            }
            if (cause instanceof SMTPAddressFailedException failed && failed.getReturnCode() > 0) {
                return failed.getReturnCode();
            }
        }
        return null;
    }

    private static boolean causedByIo(Throwable error) {
        for (Throwable cause = error; cause != null; cause = next(cause)) {
            if (cause instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** The next cause, following the chain JavaMail keeps in {@code getNextException}. */
    private static Throwable next(Throwable error) {
        if (error instanceof SendFailedException failed && failed.getNextException() != null) {
            return failed.getNextException();
        }
        if (error instanceof MessagingException failed && failed.getNextException() != null) {
            return failed.getNextException();
        }
        return error.getCause();
    }

    private static InternetAddress sender(String address) {
        try {
            return new InternetAddress(address, true);
        } catch (AddressException e) {
            throw new IllegalArgumentException("shopflow.mail.from is not a mail address: " + address, e);
        }
    }

    private String render(Mail mail, OrderEvent event) {
        Map<String, Object> model = new HashMap<>();
        model.put("orderId", event.orderId());
        model.put("lines", mail.lines());
        model.put("total", mail.total().toPlainString());
        model.put("reason", mail.reason());
        return templates.get(mail.kind()).execute(model);
    }

    private static Template compile(Mustache.Compiler mustache, String name) {
        ClassPathResource resource = new ClassPathResource("templates/" + name + ".mustache");
        try (Reader reader = new InputStreamReader(resource.getInputStream(), StandardCharsets.UTF_8)) {
            return mustache.compile(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("Mail template " + name + " is missing", e);
        }
    }

    private record Mail(MailKind kind, String recipient, List<OrderLine> lines, BigDecimal total, String reason) {}

    /** @param index the event's position in the batch */
    private record Pending(int index, OrderEvent event, Mail mail, EventSource source) {

        MailLog.Claim claim() {
            return new MailLog.Claim(event.eventId(), event.orderId(), mail.kind(), mail.recipient(), source);
        }
    }
}
