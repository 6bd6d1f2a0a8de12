package dev.shopflow.mail;

import dev.shopflow.consumer.PermanentEventFailure;
import dev.shopflow.consumer.TransientEventFailure;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.AddressException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/** What a failed SMTP conversation means for the mail: retried in place, dead-lettered, or deferred. */
final class SmtpFailures {

    private SmtpFailures() {}

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
}
