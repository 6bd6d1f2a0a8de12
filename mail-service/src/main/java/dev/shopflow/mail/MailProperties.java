package dev.shopflow.mail;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** @param from the sender address of every mail */
@ConfigurationProperties("shopflow.mail")
record MailProperties(String from) {}
