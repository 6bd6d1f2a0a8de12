package dev.shopflow.outbox;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the outbox's tables ({@code shopflow.outbox.*}; the relay's are {@code shopflow.outbox.relay.*}).
 *
 * @param migrateSchema whether the outbox's tables are migrated at start-up ({@link OutboxSchema}, default
 *     {@code true}); {@code false} assumes them and touches no database at start-up: for a schema a DBA owns, or a
 *     start with no database at all (the image build's class-data-sharing training run)
 */
@ConfigurationProperties("shopflow.outbox")
record OutboxProperties(@DefaultValue("true") boolean migrateSchema) {}
