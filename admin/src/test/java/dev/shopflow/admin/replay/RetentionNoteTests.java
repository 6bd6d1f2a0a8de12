package dev.shopflow.admin.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shopflow.admin.replay.ReplayPlan.PartitionMove;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a replay's answer says about retention, for each way retention can get in its way. */
class RetentionNoteTests {

    static final Instant OLDEST = Instant.parse("2026-11-20T08:00:00Z");

    static PartitionMove partition(long firstRetainedOffset, Instant firstRetainedAt) {
        return new PartitionMove(0, 10L, 0, 10, firstRetainedOffset, firstRetainedAt);
    }

    static ReplayStart daysAgo(int days) {
        return new ReplayStart(Instant.now().minus(Duration.ofDays(days)));
    }

    @Test
    void withinTheRetentionAndNothingDeletedItSaysNothing() {
        assertThat(GroupReplay.retentionNote(List.of(partition(0, OLDEST)), daysAgo(1), "PT840H"))
                .isEmpty();
    }

    @Test
    void aFromFurtherBackThanTheTopicKeepsEventsIsSaidSoEvenWhenNothingWasDeletedYet() {
        assertThat(GroupReplay.retentionNote(List.of(partition(0, OLDEST)), daysAgo(40), "PT840H"))
                .contains("is further back than the topic keeps events (PT840H)")
                .contains("the oldest event it still holds is from 2026-11-20T08:00:00Z");
    }

    @Test
    void aPartitionThatLostTheEventsFromThenIsNamed() {
        PartitionMove lost = new PartitionMove(2, 30L, 12, 18, 12, OLDEST);

        assertThat(GroupReplay.retentionNote(
                        List.of(partition(0, null), lost), ReplayStart.parse("earliest", Instant.now()), null))
                .contains("Kafka no longer holds every event from earliest")
                .contains("the topic keeps events for a time Kafka did not say")
                .contains("on partition(s) 2 it has deleted events")
                .contains("cannot be replayed");
    }
}
