package dev.shopflow.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.events.Topics;
import dev.shopflow.outbox.OutboxWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Relays in JVMs of their own, killed with SIGKILL mid-stream. This test's own application does not relay; it
 * only writes outbox rows. Every event must still reach Kafka at least once.
 */
@SpringBootTest(properties = "shopflow.outbox.relay.enabled=false")
@Import(ContainersConfig.class)
class RelayCrashTests {

    private static final List<OrderLine> LINES = List.of(new OrderLine("SKU-1", 1, BigDecimal.ONE));

    @Autowired
    OutboxWriter outbox;

    @Autowired
    TransactionTemplate transaction;

    @Autowired
    JdbcConnectionDetails database;

    @Autowired
    KafkaConnectionDetails kafkaConnection;

    @Autowired
    JdbcClient jdbc;

    String kafka;
    KafkaProbe orders;
    final Set<String> written = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void readOrdersTopic() {
        kafka = String.join(",", kafkaConnection.getBootstrapServers());
        orders = new KafkaProbe(kafka, Topics.ORDERS);
    }

    @AfterEach
    void closeProbe() {
        orders.close();
    }

    @Test
    void relayKilledMidStreamLosesNothingAfterRestart() throws Exception {
        try (ExecutorService writer = Executors.newSingleThreadExecutor()) {
            RelayProcess first = RelayProcess.start("crash-first", database, kafka);
            await().atMost(Duration.ofSeconds(90)).until(first::isRelaying);
            Future<?> writing = writer.submit(() -> write(1500, Duration.ofMillis(4)));

            await().atMost(Duration.ofSeconds(60)).until(() -> written.size() > 500);
            first.kill();
            writing.get();

            try (RelayProcess second = RelayProcess.start("crash-second", database, kafka)) {
                orders.awaitEventIds(written, Duration.ofSeconds(120));
            }
        }
        assertThat(written).hasSize(1500);
    }

    @Test
    void standbyTakesOverWithin15SecondsWhenTheLeaderIsKilled() throws Exception {
        try (RelayProcess a = RelayProcess.start("failover-a", database, kafka);
                RelayProcess b = RelayProcess.start("failover-b", database, kafka);
                ExecutorService writer = Executors.newSingleThreadExecutor()) {
            await().atMost(Duration.ofSeconds(90))
                    .until(() -> List.of(a.role(), b.role()).containsAll(List.of("leader", "standby")));
            RelayProcess leader = "leader".equals(a.role()) ? a : b;
            RelayProcess standby = leader == a ? b : a;
            await().atMost(Duration.ofSeconds(60)).until(leader::isRelaying);
            Future<?> writing = writer.submit(() -> write(1000, Duration.ofMillis(4)));
            await().atMost(Duration.ofSeconds(60)).until(() -> written.size() > 300);

            leader.kill();
            Instant killedAt = Instant.now();
            await().atMost(Duration.ofSeconds(15)).until(() -> "leader".equals(standby.role()));
            Duration takeover = Duration.between(killedAt, Instant.now());
            writing.get();

            orders.awaitEventIds(written, Duration.ofSeconds(120));
            assertThat(takeover).isLessThan(Duration.ofSeconds(15));
        }
    }

    @Test
    void aStoredOffsetThatDisagreesWithTheSlotIsReportedAndNothingIsLost() throws Exception {
        try (RelayProcess first = RelayProcess.start("offset-first", database, kafka)) {
            await().atMost(Duration.ofSeconds(90)).until(first::isRelaying);
            write(50, Duration.ZERO);
            orders.awaitEventIds(written, Duration.ofSeconds(60));
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !jdbc.sql("select active from pg_replication_slots where slot_name = 'order_service'")
                        .query(Boolean.class)
                        .single());
        jdbc.sql("select pg_drop_replication_slot('order_service')")
                .query(Object.class)
                .list();

        try (RelayProcess second = RelayProcess.start("offset-second", database, kafka)) {
            await().atMost(Duration.ofSeconds(90))
                    .until(() -> second.relayHealthDetails()
                            .path("offsetCheck")
                            .asString("")
                            .contains("does not exist"));
            write(50, Duration.ZERO);
            orders.awaitEventIds(written, Duration.ofSeconds(60));
        }
        assertThat(written).hasSize(100);
    }

    private void write(int count, Duration pause) {
        for (int i = 0; i < count; i++) {
            UUID eventId = UUID.randomUUID();
            OrderPlaced event = new OrderPlaced(
                    eventId, UUID.randomUUID(), Instant.now(), "c", "a@example.com", LINES, BigDecimal.ONE);
            transaction.executeWithoutResult(status -> outbox.append(event));
            written.add(eventId.toString());
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
