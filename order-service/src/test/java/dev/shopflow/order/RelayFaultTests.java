package dev.shopflow.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.testcontainers.kafka.KafkaContainer;

/** The relay under failure: Kafka gone for a while, and a database busy with everything but the outbox. */
class RelayFaultTests extends RelayIntegrationTest {

    private static final Duration OUTAGE = Duration.ofSeconds(30);

    @Autowired
    KafkaContainer kafkaContainer;

    @Autowired
    ApplicationContext context;

    @AfterEach
    void dropBallast() {
        jdbc.sql("drop table if exists ballast").update();
    }

    @Test
    void ordersAreAcceptedWhileKafkaIsUnreachableAndRelayedWhenItReturns() {
        api.postOrder(VALID_ORDER);
        orders.awaitEventIds(eventIds(), Duration.ofSeconds(60));

        kafkaContainer
                .getDockerClient()
                .pauseContainerCmd(kafkaContainer.getContainerId())
                .exec();
        Instant outageEnds = Instant.now().plus(OUTAGE);
        AtomicInteger accepted = new AtomicInteger();
        try {
            // a client placing an order every 250 ms for the whole outage; every one must be accepted
            await().atMost(OUTAGE.plusSeconds(10))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        assertThat(api.postOrder(VALID_ORDER).status()).isEqualTo(201);
                        accepted.incrementAndGet();
                        return Instant.now().isAfter(outageEnds);
                    });
            assertThat(relayHealth()).isEqualTo("DOWN");
        } finally {
            kafkaContainer
                    .getDockerClient()
                    .unpauseContainerCmd(kafkaContainer.getContainerId())
                    .exec();
        }

        assertThat(accepted.get()).isGreaterThan(50);
        orders.awaitEventIds(eventIds(), Duration.ofSeconds(120));
        await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(relayHealth()));
    }

    @Test
    void retainedWalStaysBoundedWhileOtherTablesAreBusyAndTheOutboxIsQuiet() {
        long start = currentWal();
        jdbc.sql("create table ballast (id bigint, filler text)").update();
        for (int round = 0; round < 12; round++) {
            jdbc.sql("insert into ballast select g, repeat(md5(g::text), 30) from generate_series(1, 10000) g")
                    .update();
        }
        assertThat(currentWal() - start).as("WAL written meanwhile").isGreaterThan(96L * 1024 * 1024);

        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() ->
                        assertThat(retainedWal()).as("WAL the slot retains").isLessThan(16L * 1024 * 1024));
    }

    /**
     * The relay is down while PostgreSQL writes far more WAL than {@code max_slot_wal_keep_size}: the server
     * invalidates the slot ({@code wal_status = 'lost'}). When the relay comes back it drops the dead slot and its
     * offset, creates a new slot and re-reads the outbox, so the order placed meanwhile still reaches Kafka.
     */
    @Test
    void aSlotPostgresInvalidatedIsRecreatedAndTheOutboxReRead() {
        api.postOrder(VALID_ORDER);
        orders.awaitEventIds(eventIds(), Duration.ofSeconds(60));
        SmartLifecycle relay = context.getBean("outboxRelayLeadership", SmartLifecycle.class);

        relay.stop();
        try {
            api.postOrder(VALID_ORDER);
            jdbc.sql("alter system set max_slot_wal_keep_size = '16MB'").update();
            jdbc.sql("select pg_reload_conf()").query().singleRow();
            jdbc.sql("create table ballast (id bigint, filler text)").update();
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                jdbc.sql("insert into ballast select g, repeat(md5(g::text), 30) from generate_series(1, 10000) g")
                        .update();
                jdbc.sql("checkpoint").update();
                return "lost"
                        .equals(jdbc.sql("select wal_status from pg_replication_slots where slot_name = :slot")
                                .param("slot", "order_service")
                                .query(String.class)
                                .single());
            });
        } finally {
            jdbc.sql("alter system reset max_slot_wal_keep_size").update();
            jdbc.sql("select pg_reload_conf()").query().singleRow();
            relay.start();
        }

        orders.awaitEventIds(eventIds(), Duration.ofSeconds(120));
        await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(relayHealth()));
        assertThat(api.get("/actuator/health/outboxRelay")
                        .json()
                        .at("/details/offsetCheck")
                        .asString())
                .contains("invalidated");
        assertThat(jdbc.sql("select wal_status from pg_replication_slots where slot_name = 'order_service'")
                        .query(String.class)
                        .single())
                .isNotEqualTo("lost");
    }

    private long currentWal() {
        return jdbc.sql("select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")
                .query(Long.class)
                .single();
    }

    private String relayHealth() {
        return api.get("/actuator/health/outboxRelay").json().get("status").asString();
    }

    private long retainedWal() {
        return jdbc.sql("""
                        select pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint
                        from pg_replication_slots where slot_name = 'order_service'""").query(Long.class).single();
    }

    private Set<String> eventIds() {
        return new HashSet<>(
                jdbc.sql("select id::text from outbox").query(String.class).list());
    }
}
