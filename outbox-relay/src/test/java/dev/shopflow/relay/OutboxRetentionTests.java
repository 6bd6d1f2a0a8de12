package dev.shopflow.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shopflow.outbox.OutboxDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Retention against a real PostgreSQL: it deletes only what Kafka acknowledged. The relay's state is driven
 * through {@link RelayMetrics}, as {@link KafkaSink} drives it.
 */
class OutboxRetentionTests {

    @RegisterExtension
    static final OutboxDatabase database = new OutboxDatabase();

    JdbcClient jdbc;
    RelayMetrics relay;
    OutboxRetention retention;

    @BeforeEach
    void setUp() {
        jdbc = database.jdbc;
        jdbc.sql("truncate outbox").update();
        RelayProperties properties = RelaySettingsTests.properties("retention_test", Map.of());
        SlotMonitor slot = new SlotMonitor(jdbc, "retention_test");
        relay = new RelayMetrics(
                new SimpleMeterRegistry(),
                new RelayLeadership(properties, PostgresCoordinatesTests.coordinates(database.postgres)),
                slot);
        retention = new OutboxRetention(jdbc, Duration.ofHours(1), relay);
        for (String age : List.of("3 hours", "2 hours", "30 minutes")) {
            jdbc.sql("""
                            insert into outbox (id, aggregatetype, aggregateid, type, schema_version, payload, timestamp)
                            values (:id, 'orders', 'o-1', 'OrderPlaced', 1, '{}', now() - cast(:age as interval))""").param("id", UUID.randomUUID()).param("age", age).update();
        }
    }

    @Test
    void deletesNothingBeforeTheRelayHadABatchAcknowledged() {
        assertThat(retention.run()).isZero();
        assertThat(rows()).isEqualTo(3);
    }

    /**
     * Kafka has been unreachable for 2.5 hours: the rows written since (and the 30 minutes before, the
     * retention) have not been acknowledged and may be needed to re-read the outbox.
     */
    @Test
    void keepsEverythingCommittedAfterTheLastAcknowledgementMinusTheRetention() {
        relay.batchProcessed(databaseNow().minus(Duration.ofMinutes(150)));

        assertThat(retention.run()).isZero();
        assertThat(rows()).isEqualTo(3);

        relay.batchProcessed(databaseNow().minus(Duration.ofMinutes(90)));

        assertThat(retention.run()).isEqualTo(1);
        assertThat(rows()).isEqualTo(2);
    }

    @Test
    void deletesRelayedRowsOlderThanTheRetention() {
        relay.batchProcessed(databaseNow());

        assertThat(retention.run()).isEqualTo(2);
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void deletesNothingWhileSendsFail() {
        relay.batchProcessed(databaseNow());
        relay.sendFailed(new IllegalStateException("Kafka unreachable"));

        assertThat(retention.run()).isZero();
        assertThat(rows()).isEqualTo(3);

        relay.sendRecovered();
        assertThat(retention.run()).isEqualTo(2);
    }

    private Instant databaseNow() {
        return jdbc.sql("select now()").query(Instant.class).single();
    }

    private long rows() {
        return jdbc.sql("select count(*) from outbox").query(Long.class).single();
    }
}
