package dev.shopflow.relay;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the outbox relay ({@code shopflow.outbox.relay.*}).
 *
 * @param enabled run the relay in this process (every replica may; one leads)
 * @param slotName the service's replication slot; also names the leader lock and the stored offsets
 * @param pollInterval how long Debezium waits for more changes before handing over a batch: at moderate rates one
 *     batch (one send, one acknowledgement round) per interval instead of per change, and an idle relay that wakes
 *     20 times a second, not 100
 * @param maxBatchSize most changes per batch
 * @param offsetFlushInterval how often the position is stored; a crash re-sends at most this much
 * @param heartbeatInterval how often the relay writes a heartbeat so the slot advances when the outbox is quiet
 * @param leaderCheckInterval how often a standby tries to become leader, and the leader checks it still is
 * @param sendBackoff first wait before re-sending what Kafka did not acknowledge; doubles up to {@code maxSendBackoff}
 * @param maxSendBackoff longest wait between re-sends
 * @param retention how long relayed outbox rows are kept (for inspection) before the leader deletes them
 * @param failoverSlot create the replication slot as a failover slot (Debezium's {@code slot.failover}), which
 *     PostgreSQL 17 synchronises to a standby set up for it, so the relay resumes there after a promotion without
 *     re-reading the outbox; Debezium creates a plain slot on an older server, so it is on by default
 * @param debezium further Debezium engine and PostgreSQL connector settings, passed as they are (for example
 *     {@code database.sslmode}, {@code status.update.interval.ms}); applied over the relay's own, except the ones
 *     its guarantees rest on ({@link EngineSettings#FIXED_SETTINGS}), which are refused at start-up
 */
@ConfigurationProperties("shopflow.outbox.relay")
public record RelayProperties(
        @DefaultValue("true") boolean enabled,
        String slotName,
        @DefaultValue("50ms") Duration pollInterval,
        @DefaultValue("2048") int maxBatchSize,
        @DefaultValue("1s") Duration offsetFlushInterval,
        @DefaultValue("10s") Duration heartbeatInterval,
        @DefaultValue("2s") Duration leaderCheckInterval,
        @DefaultValue("100ms") Duration sendBackoff,
        @DefaultValue("5s") Duration maxSendBackoff,
        @DefaultValue("1h") Duration retention,
        @DefaultValue("true") boolean failoverSlot,
        @Nullable Map<String, String> debezium) {

    public RelayProperties {
        debezium = debezium == null ? Map.of() : Map.copyOf(debezium);
        List<String> fixed = debezium.keySet().stream()
                .filter(EngineSettings.FIXED_SETTINGS::contains)
                .sorted()
                .toList();
        if (!fixed.isEmpty()) {
            throw new IllegalArgumentException("shopflow.outbox.relay.debezium may not set " + fixed
                    + ": the relay's guarantees rest on its own values of " + EngineSettings.FIXED_SETTINGS);
        }
        if (enabled && (slotName == null || !slotName.matches("[a-z0-9_]{1,63}"))) {
            throw new IllegalArgumentException(
                    "shopflow.outbox.relay.slot-name must be 1-63 of a-z, 0-9 and _, was '" + slotName + "'");
        }
    }
}
