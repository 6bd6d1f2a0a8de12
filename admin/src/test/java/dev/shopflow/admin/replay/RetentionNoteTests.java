package dev.shopflow.admin.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shopflow.admin.replay.ReplayPlan.PartitionMove;
import dev.shopflow.consumer.DedupeWindow;
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
        assertThat(ReplayPlanner.retentionNote(List.of(partition(0, OLDEST)), daysAgo(1), "PT840H"))
                .isEmpty();
    }

    @Test
    void aFromFurtherBackThanTheTopicKeepsEventsIsSaidSoEvenWhenNothingWasDeletedYet() {
        assertThat(ReplayPlanner.retentionNote(List.of(partition(0, OLDEST)), daysAgo(40), "PT840H"))
                .contains("is further back than the topic keeps events (PT840H)")
                .contains("the oldest event it still holds is from 2026-11-20T08:00:00Z");
    }

    @Test
    void aPartitionThatLostTheEventsFromThenIsNamed() {
        PartitionMove lost = new PartitionMove(2, 30L, 12, 18, 12, OLDEST);

        assertThat(ReplayPlanner.retentionNote(
                        List.of(partition(0, null), lost), ReplayStart.parse("earliest", Instant.now()), null))
                .contains("Kafka no longer holds every event from earliest")
                .contains("the topic keeps events for a time Kafka did not say")
                .contains("on partition(s) 2 it has deleted events")
                .contains("cannot be replayed");
    }

    /**
     * Kafka keeps an event up to a segment longer than its retention: a replay from the earliest can read events
     * older than the group's dedupe record, which would then be processed as new. The answer names them.
     */
    @Test
    void eventsOlderThanTheGroupRemembersAreNamedWhateverTheRetentionSetting() {
        Instant now = Instant.parse("2026-12-04T12:00:00Z");
        DedupeWindow remembered = new DedupeWindow(Duration.ofDays(40), "shopflow.mail.log-retention");
        PartitionMove old = new PartitionMove(1, 90L, 0, 90, 0, now.minus(Duration.ofDays(41)));
        PartitionMove young = new PartitionMove(2, 30L, 0, 30, 0, now.minus(Duration.ofDays(20)));

        assertThat(ReplayPlanner.forgottenNote(
                        List.of(old, young), ReplayStart.parse("earliest", now), remembered, now))
                .contains("Partition(s) 1 hold events older than the PT960H this group remembers")
                .contains("shopflow.mail.log-retention")
                .contains("done again");
        assertThat(ReplayPlanner.forgottenNote(
                        List.of(old, young), new ReplayStart(now.minus(Duration.ofDays(10))), remembered, now))
                .as("from a time the group still remembers")
                .isEmpty();
        assertThat(ReplayPlanner.forgottenNote(List.of(old), ReplayStart.parse("earliest", now), null, now))
                .as("a group without a dedupe record of its own")
                .isEmpty();
    }
}
