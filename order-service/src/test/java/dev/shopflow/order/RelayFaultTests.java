package dev.shopflow.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shopflow.events.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
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

        pauseKafka();
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
            unpauseKafka();
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
            writeWalUntilTheSlotIsLost();
        } finally {
            relay.start();
        }

        assertRelayedAgainAfterRecreatingTheSlot(Duration.ofSeconds(120));
        assertThat(jdbc.sql("select wal_status from pg_replication_slots where slot_name = 'order_service'")
                        .query(String.class)
                        .single())
                .isNotEqualTo("lost");
    }

    /**
     * The same while the relay runs: Kafka is unreachable, so the relay cannot confirm anything and the slot falls
     * behind until PostgreSQL invalidates it. Debezium alone would retry the lost slot for half an hour; the leader
     * sees the slot's state at its next check and restarts the engine, which recreates it.
     */
    @Test
    void aSlotInvalidatedWhileTheRelayRunsIsRecreatedAtTheLeadersNextCheck() {
        api.postOrder(VALID_ORDER);
        orders.awaitEventIds(eventIds(), Duration.ofSeconds(60));

        pauseKafka();
        try {
            api.postOrder(VALID_ORDER);
            writeWalUntilTheSlotIsLost();
        } finally {
            unpauseKafka();
        }
        api.postOrder(VALID_ORDER);

        assertRelayedAgainAfterRecreatingTheSlot(Duration.ofSeconds(90));
    }

    /** Every event reached Kafka within {@code limit}, the relay is UP and its health says the slot was recreated. */
    private void assertRelayedAgainAfterRecreatingTheSlot(Duration limit) {
        orders.awaitEventIds(eventIds(), limit);
        await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(relayHealth()));
        assertThat(actuator.get("/actuator/health/outboxRelay")
                        .json()
                        .at("/details/offsetCheck")
                        .asString())
                .contains("invalidated");
    }

    private void pauseKafka() {
        kafkaContainer
                .getDockerClient()
                .pauseContainerCmd(kafkaContainer.getContainerId())
                .exec();
    }

    private void unpauseKafka() {
        kafkaContainer
                .getDockerClient()
                .unpauseContainerCmd(kafkaContainer.getContainerId())
                .exec();
    }

    /** Lets the slot hold at most 16 MiB and writes WAL elsewhere until PostgreSQL invalidates it. */
    private void writeWalUntilTheSlotIsLost() {
        jdbc.sql("alter system set max_slot_wal_keep_size = '16MB'").update();
        jdbc.sql("select pg_reload_conf()").query().singleRow();
        try {
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
        }
    }

    /**
     * An event larger than the topic accepts (the broker answers RecordTooLargeException) is parked and the events
     * after it still reach Kafka; once the topic takes it, re-driving sends it.
     */
    @Test
    void anEventKafkaRefusesIsParkedTheRestFlowsOnAndItCanBeReDriven() throws Exception {
        String bigOrder = order(50);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", String.join(",", kafka.getBootstrapServers())))) {
            alterOrdersTopic(
                    admin, new AlterConfigOp(new ConfigEntry("max.message.bytes", "2048"), AlterConfigOp.OpType.SET));
            try {
                api.postOrder(bigOrder);
                String bigEvent = jdbc.sql("select id::text from outbox")
                        .query(String.class)
                        .single();
                api.postOrder(VALID_ORDER);
                Set<String> smallEvents = eventIds();
                smallEvents.remove(bigEvent);

                orders.awaitEventIds(smallEvents, Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> jdbc.sql("select count(*) from outbox_parked where id = cast(:id as uuid)")
                                        .param("id", bigEvent)
                                        .query(Long.class)
                                        .single()
                                == 1);
                assertThat(jdbc.sql("select error from outbox_parked")
                                .query(String.class)
                                .single())
                        .contains("RecordTooLargeException");
                assertThat(actuator.get("/actuator/health/outboxRelay")
                                .json()
                                .at("/details/parked")
                                .asString())
                        .startsWith("1 events");
            } finally {
                alterOrdersTopic(
                        admin,
                        new AlterConfigOp(new ConfigEntry("max.message.bytes", ""), AlterConfigOp.OpType.DELETE));
            }

            assertThat(jdbc.sql("select outbox_redrive_parked()")
                            .query(Integer.class)
                            .single())
                    .isOne();
            orders.awaitEventIds(eventIds(), Duration.ofSeconds(60));
            assertThat(jdbc.sql("select count(*) from outbox_parked")
                            .query(Long.class)
                            .single())
                    .isZero();
        }
    }

    private static void alterOrdersTopic(Admin admin, AlterConfigOp change) throws Exception {
        admin.incrementalAlterConfigs(
                        Map.of(new ConfigResource(ConfigResource.Type.TOPIC, Topics.ORDERS), List.of(change)))
                .all()
                .get();
    }

    /** An order of {@code lines} lines with long, random product ids: a few KB that compress badly. */
    private static String order(int lines) {
        String body = IntStream.range(0, lines)
                .mapToObj(i -> "{\"productId\":\"" + UUID.randomUUID()
                        + UUID.randomUUID().toString().substring(0, 20) + "\",\"quantity\":1,\"unitPrice\":1.00}")
                .collect(Collectors.joining(",", "[", "]"));
        return "{\"customerId\":\"c-big\",\"customerEmail\":\"big@example.com\",\"lines\":" + body + "}";
    }

    private long currentWal() {
        return jdbc.sql("select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")
                .query(Long.class)
                .single();
    }

    private String relayHealth() {
        return actuator.get("/actuator/health/outboxRelay").json().get("status").asString();
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
