package dev.shopflow.events;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/** Invariants shared by the event records; a violation is a malformed event. */
final class Require {

    private Require() {}

    static void present(Object... values) {
        for (Object value : values) {
            Objects.requireNonNull(value, "a required event field is missing");
        }
    }

    static void text(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
    }

    static void positive(int value, String field) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be positive, was " + value);
        }
    }

    static void nonNegative(BigDecimal value, String field) {
        if (value == null || value.signum() < 0) {
            throw new IllegalArgumentException(field + " must be zero or more, was " + value);
        }
    }

    static <T> List<T> nonEmpty(List<T> values, String field) {
        if (values == null || values.isEmpty()) {
            throw new IllegalArgumentException(field + " must not be empty");
        }
        return List.copyOf(values);
    }
}
