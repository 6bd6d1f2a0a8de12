package dev.shopflow.admin.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReplayStartTests {

    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    @Test
    void earliestHasNoMoment() {
        assertThat(ReplayStart.parse(" Earliest ", NOW).at()).isNull();
        assertThat(ReplayStart.parse("earliest", NOW)).hasToString("earliest");
    }

    @Test
    void aDateTimeWithOffsetIsThatMoment() {
        assertThat(ReplayStart.parse("2026-11-01T00:00:00Z", NOW).at()).isEqualTo("2026-11-01T00:00:00Z");
        assertThat(ReplayStart.parse("2026-11-01T01:00:00+01:00", NOW).at()).isEqualTo("2026-11-01T00:00:00Z");
    }

    @Test
    void aDurationIsThatLongAgo() {
        assertThat(ReplayStart.parse("PT2H", NOW).at()).isEqualTo("2026-11-23T10:00:00Z");
        assertThat(ReplayStart.parse("P30D", NOW).at()).isEqualTo("2026-10-24T12:00:00Z");
    }

    @ParameterizedTest
    @ValueSource(strings = {"last tuesday", "2026-11-01T00:00:00", "2026-11-01", "PT0S", "-PT1H", "P1M"})
    void anythingElseIsRefusedWithTheFormsThatWork(String from) {
        assertThatThrownBy(() -> ReplayStart.parse(from, NOW))
                .isInstanceOf(InvalidReplayException.class)
                .satisfies(
                        e -> assertThat(((InvalidReplayException) e).getBody().getDetail())
                                .startsWith("from:"));
    }
}
