package dev.shopflow.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.stereotype.Component;

/**
 * One SMTP connection per listener thread, kept open from batch to batch: opening one costs far more than sending
 * a mail over it. It is checked before each use (NOOP), opened again when the server closed it, and dropped after
 * any failure, so the next batch starts on a fresh connection. Settings ({@code spring.mail.*}: host, port,
 * credentials, timeouts) are those of Boot's {@link JavaMailSenderImpl}.
 */
@Component
class SmtpConnections implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SmtpConnections.class);

    private final JavaMailSenderImpl settings;
    private final ThreadLocal<@Nullable Transport> current = new ThreadLocal<>();
    private final Set<Transport> open = ConcurrentHashMap.newKeySet();

    SmtpConnections(JavaMailSenderImpl settings) {
        this.settings = settings;
    }

    Session session() {
        return settings.getSession();
    }

    /** The calling thread's connection, opened now if it has none or the server has closed it. */
    Transport connection() throws MessagingException {
        Transport transport = current.get();
        if (transport != null && transport.isConnected()) {
            return transport;
        }
        discard();
        transport = session().getTransport(settings.getProtocol());
        transport.connect(settings.getHost(), settings.getPort(), settings.getUsername(), settings.getPassword());
        current.set(transport);
        open.add(transport);
        return transport;
    }

    /** Closes the calling thread's connection, after a failure that may have left it in an unknown state. */
    void discard() {
        Transport transport = current.get();
        current.remove();
        if (transport != null) {
            close(transport);
        }
    }

    @Override
    public void destroy() {
        open.forEach(this::close);
    }

    private void close(Transport transport) {
        open.remove(transport);
        try {
            transport.close();
        } catch (MessagingException e) {
            log.debug("Closing an SMTP connection failed: {}", e.toString());
        }
    }
}
