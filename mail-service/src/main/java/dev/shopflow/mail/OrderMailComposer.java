package dev.shopflow.mail;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import dev.shopflow.events.OrderConfirmed;
import dev.shopflow.events.OrderEvent;
import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.events.OrderRejected;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

/**
 * Writes the mail an order event asks for: its kind and recipient, the text from the kind's template, and a
 * {@code Message-ID} made from the event id.
 */
@Component
class OrderMailComposer {

    private final SmtpConnections smtp;
    private final String messageIdDomain;
    private final InternetAddress from;
    private final Map<MailKind, Template> templates = new EnumMap<>(MailKind.class);

    OrderMailComposer(SmtpConnections smtp, MailProperties properties, Mustache.Compiler mustache) {
        this.smtp = smtp;
        this.from = sender(properties.from());
        this.messageIdDomain = from.getAddress().substring(from.getAddress().lastIndexOf('@') + 1);
        for (MailKind kind : MailKind.values()) {
            templates.put(kind, compile(mustache, kind.template()));
        }
    }

    record Mail(MailKind kind, String recipient, List<OrderLine> lines, BigDecimal total, String reason) {}

    static Mail mail(OrderEvent event) {
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
    MimeMessage message(OrderEvent event, Mail mail) throws MessagingException {
        MimeMessage message = new MimeMessage(smtp.session());
        message.setFrom(from);
        message.setRecipients(Message.RecipientType.TO, InternetAddress.parse(mail.recipient(), true));
        message.setSubject(mail.kind().subject() + " (" + event.orderId() + ")", StandardCharsets.UTF_8.name());
        message.setText(render(mail, event), StandardCharsets.UTF_8.name());
        message.setSentDate(new Date());
        message.saveChanges(); // sets a random Message-ID: replaced by the event's own below
        message.setHeader("Message-ID", messageId(event.eventId()));
        return message;
    }

    /** The same for every attempt at one event's mail, so a mailbox can tell a duplicate. */
    String messageId(UUID eventId) {
        return "<" + eventId + "@" + messageIdDomain + ">";
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
}
