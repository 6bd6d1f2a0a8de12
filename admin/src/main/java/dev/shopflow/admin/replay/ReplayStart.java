package dev.shopflow.admin.replay;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.jspecify.annotations.Nullable;

/**
 * Where a replay starts: {@code earliest}, a date-time ({@code 2026-11-01T00:00:00Z}) or a duration ago
 * ({@code PT2H}, {@code P30D}); the same points as {@code kafka-consumer-groups.sh --to-earliest}, {@code
 * --to-datetime} and {@code --by-duration}.
 *
 * @param at the moment, or null for the earliest retained event
 */
record ReplayStart(@Nullable Instant at) {

    static ReplayStart parse(String text, Instant now) {
        String value = text.strip();
        if (value.equalsIgnoreCase("earliest")) {
            return new ReplayStart(null);
        }
        try {
            if (value.startsWith("P") || value.startsWith("p")) {
                Duration ago = Duration.parse(value);
                if (ago.isNegative() || ago.isZero()) {
                    throw new InvalidReplayException("from: a duration ago must be positive, got " + value);
                }
                return new ReplayStart(now.minus(ago));
            }
            return new ReplayStart(OffsetDateTime.parse(value).toInstant());
        } catch (DateTimeParseException e) {
            throw new InvalidReplayException("from: expected \"earliest\", an ISO-8601 date-time with offset"
                    + " (2026-11-01T00:00:00Z) or a duration ago (PT2H, P30D), got \"" + value + "\"");
        }
    }

    OffsetSpec offsetSpec() {
        return at == null ? OffsetSpec.earliest() : OffsetSpec.forTimestamp(at.toEpochMilli());
    }

    @Override
    public String toString() {
        return at == null ? "earliest" : at.toString();
    }
}
