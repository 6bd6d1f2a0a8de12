package dev.shopflow.mail;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shopflow.consumer.PermanentEventFailure;
import dev.shopflow.consumer.TransientEventFailure;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.Test;

/** Which SMTP failures pass by themselves (retried in place) and which refuse a mail for good (dead-lettered). */
class SmtpFailureTests {

    @Test
    void aTemporaryReplyIsTransient() {
        assertThat(SmtpFailures.classify(sendFailed(451, "451 4.3.0 try again later")))
                .isInstanceOf(TransientEventFailure.class)
                .hasMessageContaining("451");
        assertThat(SmtpFailures.classify(new SendFailedException("Invalid Addresses", sendFailed(421, "421 closing"))))
                .isInstanceOf(TransientEventFailure.class);
    }

    @Test
    void aLostConnectionOrTimeoutIsTransient() {
        assertThat(SmtpFailures.classify(new MessagingException("Could not connect", new ConnectException("refused"))))
                .isInstanceOf(TransientEventFailure.class);
        assertThat(SmtpFailures.classify(
                        new MessagingException("Exception reading response", new SocketTimeoutException())))
                .isInstanceOf(TransientEventFailure.class);
    }

    @Test
    void aPermanentReplyRefusesThatMail() throws Exception {
        SMTPAddressFailedException unknownUser = new SMTPAddressFailedException(
                new InternetAddress("nobody@example.com"), "RCPT TO", 550, "550 no such user");

        assertThat(SmtpFailures.classify(new SendFailedException("Invalid Addresses", unknownUser)))
                .isInstanceOf(PermanentEventFailure.class)
                .hasMessageContaining("550");
        assertThat(SmtpFailures.classify(sendFailed(554, "554 5.7.1 rejected")))
                .isInstanceOf(PermanentEventFailure.class);
        assertThat(SmtpFailures.classify(new AddressException("Missing final '@domain'", "ada")))
                .isInstanceOf(PermanentEventFailure.class);
    }

    @Test
    void anythingElseIsLeftToTheRetryLimit() {
        RuntimeException unknown = new IllegalArgumentException("bad template");

        assertThat(SmtpFailures.classify(unknown)).isSameAs(unknown);
        assertThat(SmtpFailures.classify(new MessagingException("no recipients")))
                .isNotInstanceOfAny(TransientEventFailure.class, PermanentEventFailure.class);
    }

    /** When a failing mail is set aside so its partition moves on, and when the consumer waits instead. */
    @Test
    void aMailRefusedForNowIsDeferredOnlyAfterAWhileAndOnlyWhenTheRefusalConcernsIt() throws Exception {
        Instant first = Instant.parse("2026-12-04T10:00:00Z");
        Duration after = Duration.ofMinutes(2);
        Instant later = first.plus(Duration.ofMinutes(3));
        SendFailedException recipientRefused = new SendFailedException(
                "Invalid Addresses",
                new SMTPAddressFailedException(
                        new InternetAddress("ada@unreachable.example"), "RCPT TO", 451, "451 4.4.1 no answer"));

        assertThat(SmtpFailures.deferral(recipientRefused, first, first.plusSeconds(30), after, Instant.EPOCH))
                .as("not yet: retried in place first")
                .isEmpty();
        assertThat(SmtpFailures.deferral(recipientRefused, first, later, after, Instant.EPOCH))
                .hasValueSatisfying(reason -> assertThat(reason).startsWith("451"));

        SMTPSendFailedException refusedAtData = sendFailed(451, "451 4.3.0 try again later");
        assertThat(SmtpFailures.deferral(refusedAtData, first, later, after, first.minusSeconds(1)))
                .as("the server refuses this mail and no other got through since: an outage, wait")
                .isEmpty();
        assertThat(SmtpFailures.deferral(refusedAtData, first, later, after, first.plusSeconds(60)))
                .as("other mails got through since: it is this mail")
                .isPresent();

        assertThat(SmtpFailures.deferral(sendFailed(421, "421 closing"), first, later, after, later))
                .isEmpty();
        assertThat(SmtpFailures.deferral(
                        new MessagingException("Could not connect", new ConnectException("refused")),
                        first,
                        later,
                        after,
                        later))
                .isEmpty();
        assertThat(SmtpFailures.deferral(sendFailed(554, "554 rejected"), first, later, after, later))
                .as("refused for good: dead-lettered, not deferred")
                .isEmpty();
    }

    private static SMTPSendFailedException sendFailed(int code, String reply) {
        return new SMTPSendFailedException("DATA", code, reply, null, null, null, null);
    }
}
