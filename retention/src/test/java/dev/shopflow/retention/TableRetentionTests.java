package dev.shopflow.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shopflow.testsupport.Containers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Retention of a bookkeeping table against a real PostgreSQL: a table shaped like {@code processed_events} (the
 * dedupe record, which the event-consumer module migrates).
 */
class TableRetentionTests {

    static final PostgreSQLContainer postgres = Containers.postgres();
    static final Database database = new Database();

    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** The data source and a client for the tests' statements. */
    static final class Database {
        SimpleDriverDataSource dataSource;
        JdbcClient jdbc;
    }

    @BeforeAll
    static void start() {
        postgres.start();
        database.dataSource = new SimpleDriverDataSource(
                new org.postgresql.Driver(), postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword());
        database.jdbc = JdbcClient.create(database.dataSource);
        database.jdbc.sql("""
                        create table processed_events (
                            consumer_group varchar(64) not null,
                            event_id       uuid        not null,
                            processed_at   timestamptz not null,
                            primary key (consumer_group, event_id))""").update();
    }

    @AfterAll
    static void stop() {
        postgres.stop();
    }

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
