package dev.shopflow.order;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code Retry-After} of a {@code 503}: a whole number of seconds drawn at random between a least and a most,
 * so that the clients refused in one busy second do not all come back in the same second and refuse each other
 * again.
 */
record RetryAfter(Duration least, Duration most) {

    RetryAfter {
        if (least.toSeconds() < 1 || most.compareTo(least) < 0) {
            throw new IllegalArgumentException(
                    "Retry-After needs 1 s <= least <= most, was least " + least + ", most " + most);
        }
    }

    /** Seconds, as the header takes them. */
    String next() {
        return Long.toString(ThreadLocalRandom.current().nextLong(least.toSeconds(), most.toSeconds() + 1));
    }
}
