package dev.shopflow.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicsPropertiesTests {

    final TopicsProperties topics = new TopicsProperties(
            List.of("orders", "stock.order-service.dlt"),
            3,
            (short) 1,
            Duration.ofDays(35),
            Duration.ofDays(1),
            Duration.ofDays(365));

    @Test
    void eventTopicsKeepTheReplayWindowAndDeadLetterTopicsLonger() {
        assertThat(topics.retentionOf("orders")).isEqualTo(Duration.ofDays(35));
        assertThat(topics.retentionOf("stock.order-service.dlt")).isEqualTo(Duration.ofDays(365));
    }

    @Test
    void aDedupeRecordKeptNoLongerThanTheTopicsKeepEventsIsRefusedNamingBothSettings() {
        assertThatNoException().isThrownBy(() -> topics.requireOutlivedBy(Duration.ofDays(40), "x.retention"));
        assertThatThrownBy(() -> topics.requireOutlivedBy(Duration.ofDays(35), "shopflow.dedupe.retention"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("shopflow.dedupe.retention (PT840H) must exceed")
                .hasMessageContaining("shopflow.kafka.retention (PT840H)");
    }

    /**
     * Kafka deletes whole segments, once their newest event is past the retention: with its default segment time
     * (7 days) an event of a 35-day topic can still be read after 41 days, past a 40-day dedupe record.
     */
    @Test
    void theDedupeRecordMustOutliveTheRetentionPlusOneSegment() {
        TopicsProperties weekLongSegments = new TopicsProperties(
                List.of("orders"), 3, (short) 1, Duration.ofDays(35), Duration.ofDays(7), Duration.ofDays(365));

        assertThatThrownBy(() -> weekLongSegments.requireOutlivedBy(Duration.ofDays(40), "shopflow.dedupe.retention"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("shopflow.kafka.segment (PT168H)");
        assertThatNoException().isThrownBy(() -> topics.requireOutlivedBy(Duration.ofDays(37), "x.retention"));
        assertThatThrownBy(() -> topics.requireOutlivedBy(Duration.ofDays(36), "x.retention"));
    }

    @Test
    void eventTopicsGetASegmentTimeAndDeadLetterTopicsKeepKafkasDefault() {
        assertThat(topics.segmentOf("orders")).isEqualTo(Duration.ofDays(1));
        assertThat(topics.segmentOf("stock.order-service.dlt")).isNull();
    }
}
