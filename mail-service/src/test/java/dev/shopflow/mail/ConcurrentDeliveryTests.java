package dev.shopflow.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shopflow.consumer.EventBatches;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.testsupport.RelayedRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Two consumers handed the same events at the same moment (a rebalance's zombie, a re-driven dead letter racing
 * its original) send each mail once: the second waits on the first one's claims and finds them SENT.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = MailTestSupport.ADMIN)
@Import(ContainersConfig.class)
class ConcurrentDeliveryTests extends MailTestSupport {

    private static final int EVENTS = 40;
    /**
     * Not a real partition of {@code orders}: the mail log keeps each mail's source position, which replays of the
     * real partitions match.
     */
    private static final int PARTITION = 99;

    @Autowired
    EventBatches batches;

    @Autowired
    OrderMails mails;

    @Autowired
    OrderMailComposer composer;

    @Autowired
    JdbcClient jdbc;

    @Test
    void twoConcurrentDeliveriesOfTheSameEventsSendEachMailOnce() throws Exception {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            records.add(record(
                    i,
                    new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), Instant.now(), "c", customer, LINES, TOTAL)));
        }
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService consumers = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> deliveries = new ArrayList<>();
            for (int consumer = 0; consumer < 2; consumer++) {
                deliveries.add(consumers.submit(() -> {
                    start.await();
                    batches.handle(records, mails::send);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> delivery : deliveries) {
                delivery.get(60, TimeUnit.SECONDS);
            }
        } finally {
            consumers.shutdownNow();
        }

        assertThat(awaitMails(EVENTS)).hasSize(EVENTS);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> mails().size() == EVENTS);
        assertThat(jdbc.sql("select count(*) from mail_log where recipient = :to and status = 'SENT' and attempts = 1")
                        .param("to", customer)
                        .query(Long.class)
                        .single())
                .isEqualTo(EVENTS);
    }

    @Test
    void everyAttemptAtOneEventsMailCarriesTheSameMessageId() {
        UUID eventId = UUID.fromString("6b1d3f3e-8f43-4c2e-9a55-0d8f3f1c2b7a");

        assertThat(composer.messageId(eventId)).isEqualTo("<6b1d3f3e-8f43-4c2e-9a55-0d8f3f1c2b7a@shopflow.dev>");
    }

    private static ConsumerRecord<String, String> record(long offset, OrderPlaced event) {
        return RelayedRecord.of(event).consumerRecord(PARTITION, offset);
    }
}
