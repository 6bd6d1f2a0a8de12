package dev.shopflow.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Retention of a bookkeeping table ({@code processed_events} here) against a real PostgreSQL. */
class TableRetentionTests {

    @RegisterExtension
    static final OutboxDatabase database = new OutboxDatabase();

    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void emptyTable() {
        database.jdbc.sql("truncate processed_events").update();
    }

    @Test
    void deletesInBatchesEveryRowOlderThanTheRetentionAndNothingNewer() {
        insert(12_345, "41 days");
        insert(10, "39 days");
        insert(10, "1 second");

        int deleted = new TableRetention(
                        database.dataSource, "processed_events", "processed_at", Duration.ofDays(40), registry)
                .run();

        assertThat(deleted).isEqualTo(12_345);
        assertThat(database.jdbc
                        .sql("select count(*) from processed_events")
                        .query(Long.class)
                        .single())
                .isEqualTo(20);
        assertThat(registry.get("shopflow.retention.deleted")
                        .tag("table", "processed_events")
                        .counter()
                        .count())
                .isEqualTo(12_345);
    }

    @Test
    void refusesNamesThatAreNotPlainIdentifiersAndARetentionThatIsNotPositive() {
        assertThatThrownBy(() -> new TableRetention(
                        database.dataSource,
                        "processed_events; drop table x",
                        "processed_at",
                        Duration.ofDays(1),
                        registry))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TableRetention(
                        database.dataSource, "processed_events", "processed_at", Duration.ZERO, registry))
                .hasMessageContaining("must be positive");
    }

    private static void insert(int rows, String age) {
        database.jdbc.sql("""
                        insert into processed_events (consumer_group, event_id, processed_at)
                        select 'group', gen_random_uuid(), now() - cast(:age as interval) from generate_series(1, :rows)""").param("age", age).param("rows", rows).update();
    }
}
