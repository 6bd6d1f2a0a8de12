package dev.shopflow.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class OutboxRecordTests {

    @Test
    void outboxRowBecomesARecordOnItsAggregateTopicKeyedByAggregateId() {
        OutboxRecord record = OutboxRecord.from(ChangeEvents.outboxInsert(
                                "e-1", "o-1", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                        .record())
                .orElseThrow();

        ProducerRecord<byte[], byte[]> kafka = record.kafkaRecord();
        assertThat(kafka.topic()).isEqualTo("orders");
        assertThat(text(kafka.key())).isEqualTo("o-1");
        assertThat(text(kafka.value())).isEqualTo("{\"orderId\": \"o-1\"}");
        assertThat(header(kafka, "eventId")).isEqualTo("e-1");
        assertThat(header(kafka, "eventType")).isEqualTo("OrderPlaced");
        assertThat(header(kafka, "schemaVersion")).isEqualTo("1");
        assertThat(header(kafka, "traceparent")).startsWith("00-4bf92f35");
        assertThat(record.committedAt()).isEqualTo(ChangeEvents.COMMITTED);
    }

    @Test
    void noTraceparentHeaderWhenTheWriterHadNone() {
        OutboxRecord record =
                OutboxRecord.from(ChangeEvents.outboxInsert("o-1").record()).orElseThrow();

        assertThat(record.kafkaRecord().headers().lastHeader("traceparent")).isNull();
    }

    @Test
    void heartbeatsAreNotRelayed() {
        assertThat(OutboxRecord.from(ChangeEvents.heartbeatInsert().record())).isEmpty();
        assertThat(OutboxRecord.from(ChangeEvents.debeziumHeartbeat().record())).isEmpty();
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        return text(record.headers().lastHeader(name).value());
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
