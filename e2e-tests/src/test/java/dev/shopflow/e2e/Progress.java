package dev.shopflow.e2e;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The pipeline benchmark's progress lines: the time of day and the seconds since its start, then what happens. */
final class Progress {

    /** The benchmark's start: its progress lines and its time limit count from it. */
    static final long STARTED = System.nanoTime();

    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private Progress() {}

    static void progress(String message) {
        System.out.printf(
                "[pipeline-benchmark %s +%ds] %s%n",
                CLOCK.format(Instant.now()), (System.nanoTime() - STARTED) / 1_000_000_000L, message);
    }
}
