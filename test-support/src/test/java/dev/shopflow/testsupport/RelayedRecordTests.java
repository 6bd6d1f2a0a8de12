package dev.shopflow.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shopflow.events.EventHeaders;
import dev.shopflow.events.EventJson;
import dev.shopflow.events.OrderConfirmed;
import dev.shopflow.events.OrderLine;
import dev.shopflow.events.Topics;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;

class RelayedRecordTests {

    private final OrderConfirmed confirmed = new OrderConfirmed(
            UUID.randomUUID(),
            UUID.randomUUID(),
            Instant.now(),
            "ada@example.com",
            List.of(new OrderLine("SKU-1", 2, new BigDecimal("9.50"))),
            new BigDecimal("19.00"));

    @Test
    void isWhatTheRelayWritesForTheEvent() {
        ProducerRecord<String, String> record = RelayedRecord.of(confirmed).producerRecord();

        assertThat(record.topic()).isEqualTo(Topics.ORDERS);
        assertThat(record.key()).isEqualTo(confirmed.orderId().toString());
        assertThat(new EventJson().read("OrderConfirmed", 1, record.value())).isEqualTo(confirmed);
        assertThat(header(record.headers(), EventHeaders.EVENT_ID))
                .isEqualTo(confirmed.eventId().toString());
        assertThat(header(record.headers(), EventHeaders.EVENT_TYPE)).isEqualTo("OrderConfirmed");
        assertThat(header(record.headers(), EventHeaders.SCHEMA_VERSION)).isEqualTo("1");
        assertThat(record.headers().lastHeader(EventHeaders.TRACEPARENT)).isNull();
    }

    @Test
    void changesOnlyWhatTheTestIsAbout() {
        ConsumerRecord<String, String> record = RelayedRecord.of(confirmed)
                .topic("orders.g.dlt")
                .value("{not json")
                .schemaVersion("7")
                .traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .header("kafka_dlt-original-topic", Topics.ORDERS)
                .withoutHeader(EventHeaders.EVENT_ID)
                .consumerRecord(2, 41);

        assertThat(record.topic()).isEqualTo("orders.g.dlt");
        assertThat(record.partition()).isEqualTo(2);
        assertThat(record.offset()).isEqualTo(41);
        assertThat(record.key()).isEqualTo(confirmed.orderId().toString());
        assertThat(record.value()).isEqualTo("{not json");
        assertThat(header(record.headers(), EventHeaders.EVENT_TYPE)).isEqualTo("OrderConfirmed");
        assertThat(header(record.headers(), EventHeaders.SCHEMA_VERSION)).isEqualTo("7");
        assertThat(header(record.headers(), EventHeaders.TRACEPARENT)).startsWith("00-4bf92f35");
        assertThat(header(record.headers(), "kafka_dlt-original-topic")).isEqualTo(Topics.ORDERS);
        assertThat(record.headers().lastHeader(EventHeaders.EVENT_ID)).isNull();
        assertThat(record.headers().toArray()).hasSize(4);
    }

    private static String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
