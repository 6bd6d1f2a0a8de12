package dev.shopflow.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RetryAfterTests {

    @Test
    void spreadsWholeSecondsOverTheRangeBothEndsIncluded() {
        RetryAfter retryAfter = new RetryAfter(Duration.ofSeconds(1), Duration.ofSeconds(4));

        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < 10_000 && seen.size() < 4; i++) {
            seen.add(retryAfter.next());
        }

        assertThat(seen).containsExactly("1", "2", "3", "4");
    }

    @Test
    void aRangeOfOneValueAlwaysAnswersIt() {
        assertThat(new RetryAfter(Duration.ofSeconds(2), Duration.ofSeconds(2)).next())
                .isEqualTo("2");
    }

    @Test
    void refusesLessThanASecondOrAnUpsideDownRange() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new RetryAfter(Duration.ofMillis(500), Duration.ofSeconds(2)));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new RetryAfter(Duration.ofSeconds(3), Duration.ofSeconds(2)));
    }
}
