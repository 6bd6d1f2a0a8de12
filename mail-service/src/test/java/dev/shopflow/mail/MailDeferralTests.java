package dev.shopflow.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shopflow.events.DomainEvent;
import dev.shopflow.events.OrderConfirmed;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.events.Topics;
import dev.shopflow.testsupport.Containers;
import dev.shopflow.testsupport.RelayedRecord;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistrar;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A mail the recipient's side refuses for now does not hold up the mails after it: it is deferred and sent later.
 * An SMTP server refusing every mail is an outage: nothing is deferred, the consumer waits. The SMTP server is a real
 * one in this JVM (SubEthaSMTP), since GreenMail cannot answer 4xx to one recipient.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            MailTestSupport.ADMIN,
            "shopflow.mail.deferred.after=2s",
            "shopflow.mail.deferred.first-retry=1s",
            "shopflow.mail.deferred.every=500ms"
        })
@Import(MailDeferralTests.Infrastructure.class)
class MailDeferralTests {

    static final Smtp smtp = new Smtp();

    @TestConfiguration(proxyBeanMethods = false)
    static class Infrastructure {

        @Bean
        @ServiceConnection
        PostgreSQLContainer postgres() {
            return Containers.postgres();
        }

        @Bean
        @ServiceConnection
        KafkaContainer kafka() {
            return Containers.kafka();
        }

        @Bean
        DynamicPropertyRegistrar smtpServer() {
            return registry -> {
                registry.add("spring.mail.host", () -> "localhost");
                registry.add("spring.mail.port", smtp::port);
            };
        }
    }

    @Autowired
    KafkaConnectionDetails kafka;

    @Autowired
    JdbcClient jdbc;

    @Value("${local.admin.port}")
    int adminPort;

    @Value("${local.management.port}")
    int managementPort;

    @BeforeEach
    void topic() {
        smtp.refused.clear();
        smtp.refuseEveryone = false;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers()))) {
            admin.createTopics(List.of(new NewTopic(Topics.ORDERS, 3, (short) 1)))
                    .all()
                    .get();
        } catch (Exception alreadyExists) {
            // created by the other test
        }
    }

    @AfterAll
    static void stopSmtp() {
        smtp.server.stop();
    }

    @Test
    void aMailTheRecipientsServerRefusesForNowIsDeferredAndTheOrdersLaterMailsGoOut() throws Exception {
        String unreachable = "ada-" + UUID.randomUUID() + "@unreachable.example";
        String reachable = "bob-" + UUID.randomUUID() + "@example.com";
        smtp.refused.add(unreachable);
        UUID orderId = UUID.randomUUID();
        OrderPlaced placed = new OrderPlaced(
                UUID.randomUUID(),
                orderId,
                Instant.now(),
                "c",
                unreachable,
                MailTestSupport.LINES,
                MailTestSupport.TOTAL);
        OrderConfirmed confirmed = new OrderConfirmed(
                UUID.randomUUID(), orderId, Instant.now(), reachable, MailTestSupport.LINES, MailTestSupport.TOTAL);

        publish(placed);
        publish(confirmed);

        await().atMost(Duration.ofSeconds(60))
                .alias("the mail after the refused one, on the same partition")
                .until(() -> smtp.receivedBy(reachable));
        assertThat(status(placed.eventId())).isEqualTo("DEFERRED");
        assertThat(jdbc.sql("select last_error from mail_log where event_id = :id")
                        .param("id", placed.eventId())
                        .query(String.class)
                        .single())
                .contains("451");
        assertThat(get("/admin/mails/deferred")).contains(placed.eventId().toString());
        assertThat(smtp.receivedBy(unreachable)).isFalse();

        smtp.refused.remove(unreachable);

        await().atMost(Duration.ofSeconds(30)).until(() -> smtp.receivedBy(unreachable));
        await().until(() -> "SENT".equals(status(placed.eventId())));
        assertThat(smtp.received.stream().filter(unreachable::equals)).hasSize(1);
        assertThat(get("/actuator/prometheus")).contains("shopflow_mail_deferred_outcomes_total{outcome=\"sent\"}");
    }

    @Test
    void whileTheServerRefusesEveryMailNothingIsDeferredAndTheMailGoesOutOnceItIsBack() throws Exception {
        String customer = "cy-" + UUID.randomUUID() + "@example.com";
        smtp.refuseEveryone = true;
        OrderPlaced placed = new OrderPlaced(
                UUID.randomUUID(),
                UUID.randomUUID(),
                Instant.now(),
                "c",
                customer,
                MailTestSupport.LINES,
                MailTestSupport.TOTAL);

        publish(placed);

        await().atMost(Duration.ofSeconds(30)).until(() -> status(placed.eventId()) != null);
        await().during(Duration.ofSeconds(6))
                .atMost(Duration.ofSeconds(10))
                .alias("three times the deferral time, and still waiting in place")
                .until(() -> "SENDING".equals(status(placed.eventId())));

        smtp.refuseEveryone = false;

        await().atMost(Duration.ofSeconds(60)).until(() -> smtp.receivedBy(customer));
        assertThat(status(placed.eventId())).isEqualTo("SENT");
    }

    private String status(UUID eventId) {
        return jdbc.sql("select status from mail_log where event_id = :id")
                .param("id", eventId)
                .query(String.class)
                .optional()
                .orElse(null);
    }

    private String get(String path) throws Exception {
        int target = path.startsWith("/actuator") ? managementPort : adminPort;
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + target + path))
                .header("Authorization", MailTestSupport.basic(MailTestSupport.ADMIN_CREDENTIALS))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private void publish(DomainEvent event) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", servers()), new StringSerializer(), new StringSerializer())) {
            producer.send(RelayedRecord.of(event).topic(Topics.ORDERS).producerRecord())
                    .get();
        }
    }

    private String servers() {
        return String.join(",", kafka.getBootstrapServers());
    }

    /** An SMTP server that refuses chosen recipients (or every sender) with 451, and records who got a mail. */
    static final class Smtp {

        final Set<String> refused = ConcurrentHashMap.newKeySet();
        final List<String> received = new CopyOnWriteArrayList<>();
        volatile boolean refuseEveryone;
        final SMTPServer server;

        Smtp() {
            server = SMTPServer.port(0).messageHandlerFactory(this::handler).build();
            server.start();
        }

        int port() {
            return server.getPortAllocated();
        }

        boolean receivedBy(String recipient) {
            return received.contains(recipient);
        }

        private MessageHandler handler(MessageContext context) {
            return new MessageHandler() {
                private final List<String> recipients = new CopyOnWriteArrayList<>();

                @Override
                public void from(String from) throws RejectException {
                    if (refuseEveryone) {
                        throw new RejectException(451, "4.3.0 local problem, try again later");
                    }
                }

                @Override
                public void recipient(String recipient) throws RejectException {
                    if (refused.contains(recipient)) {
                        throw new RejectException(451, "4.4.1 no answer from the recipient's host");
                    }
                    recipients.add(recipient);
                }

                @Override
                public String data(InputStream data) throws IOException {
                    data.readAllBytes();
                    received.addAll(recipients);
                    return null;
                }

                @Override
                public void done() {}
            };
        }
    }
}
