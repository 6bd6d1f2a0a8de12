package dev.shopflow.mail;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param from the sender address of every mail
 * @param logRetention how long a {@code mail_log} row is kept. It must exceed the retention of the {@code orders}
 *     topic: the row is what keeps a redelivered or replayed event from mailing twice
 * @param deferred when a mail the recipient's side refuses for now is set aside, and how it is retried
 */
@ConfigurationProperties("shopflow.mail")
record MailProperties(
        String from,
        @DefaultValue("40d") Duration logRetention,
        @DefaultValue Deferred deferred) {

    /**
     * @param after how long a mail may keep failing with a temporary refusal before it is deferred and its
     *     partition moves on (the consumer retries it in place until then)
     * @param firstRetry the delay before a deferred mail is tried again; it doubles at every attempt
     * @param maxRetry the longest delay between two attempts
     * @param giveUpAfter from the mail's first attempt: a mail not delivered by then is FAILED
     * @param every how often the job looks for deferred mails that are due
     */
    record Deferred(
            @DefaultValue("2m") Duration after,
            @DefaultValue("1m") Duration firstRetry,
            @DefaultValue("1h") Duration maxRetry,
            @DefaultValue("3d") Duration giveUpAfter,
            @DefaultValue("15s") Duration every) {}
}
