package dev.shopflow.mail;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import dev.shopflow.events.OrderConfirmed;
import dev.shopflow.events.OrderEvent;
import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.events.OrderRejected;
import dev.shopflow.outbox.TransientEventFailure;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.ClassPathResource;
import org.springframework.mail.MailException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.stereotype.Service;

/**
 * Sends the mail an order event asks for, at most once per event once it is SENT. SMTP cannot join a database
 * transaction, so the window is kept small: the claim (SENDING) commits, then the mail goes out, then SENT
 * commits. Only a crash between the server accepting the mail and SENT committing mails twice.
 */
@Service
class OrderMails {

    private static final Logger log = LoggerFactory.getLogger(OrderMails.class);

    private final JavaMailSender smtp;
    private final MailLog mailLog;
    private final MailProperties properties;
    private final Map<MailKind, Template> templates = new EnumMap<>(MailKind.class);

    OrderMails(JavaMailSender smtp, MailLog mailLog, MailProperties properties, Mustache.Compiler mustache) {
        this.smtp = smtp;
        this.mailLog = mailLog;
        this.properties = properties;
        for (MailKind kind : MailKind.values()) {
            templates.put(kind, compile(mustache, kind.template()));
        }
    }

    /** @return whether a mail was sent now (false for a redelivered event whose mail was sent before) */
    boolean send(OrderEvent event, EventSource source) {
        Mail mail = switch (event) {
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
        if (!mailLog.claim(event.eventId(), event.orderId(), mail.kind(), mail.recipient(), source)) {
            log.info("Mail for event {} was sent before; not sending again", event.eventId());
            return false;
        }
        SimpleMailMessage message = new SimpleMailMessage();
        message.setFrom(properties.from());
        message.setTo(mail.recipient());
        message.setSubject(mail.kind().subject() + " (" + event.orderId() + ")");
        message.setText(render(mail, event));
        try {
            smtp.send(message);
        } catch (MailException e) {
            if (unreachable(e)) {
                throw new TransientEventFailure("SMTP server unreachable", e);
            }
            throw e;
        }
        mailLog.markSent(event.eventId());
        return true;
    }

    private String render(Mail mail, OrderEvent event) {
        Map<String, Object> model = new HashMap<>();
        model.put("orderId", event.orderId());
        model.put("lines", mail.lines());
        model.put("total", mail.total().toPlainString());
        model.put("reason", mail.reason());
        return templates.get(mail.kind()).execute(model);
    }

    private static boolean unreachable(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException
                    || cause instanceof SocketTimeoutException
                    || cause instanceof UnknownHostException) {
                return true;
            }
        }
        return false;
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
}
