package dev.shopflow.mail;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param from the sender address of every mail
 * @param logRetention how long a {@code mail_log} row is kept. It must exceed the retention of the {@code orders}
 *     topic: the row is what keeps a redelivered or replayed event from mailing twice
 */
@ConfigurationProperties("shopflow.mail")
record MailProperties(String from, @DefaultValue("40d") Duration logRetention) {}
