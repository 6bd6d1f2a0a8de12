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
import org.testcontainers.kafka.KafkaContainer;

/** The relay under failure: Kafka gone for a while, and a database busy with everything but the outbox. */
class RelayFaultTests extends RelayIntegrationTest {

    private static final Duration OUTAGE = Duration.ofSeconds(30);

    @Autowired
    KafkaContainer kafkaContainer;

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
