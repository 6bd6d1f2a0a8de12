package dev.shopflow.retention;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Deletes the rows of a bookkeeping table (dedupe records, idempotency keys, the mail log) older than its
 * retention, so it does not grow for ever: in batches ({@link BatchedDelete}), a minute after start and then every
 * hour, on a thread of its own. Every replica may run it; two deleting the same rows only wait for each other.
 *
 * <p>A failed run is logged (WARN) and counted ({@code shopflow.retention.failures{table}}) and tried again at the
 * next; what is deleted is counted in {@code shopflow.retention.deleted{table}}.
 */
public final class TableRetention implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(TableRetention.class);
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final Duration FIRST_RUN = Duration.ofMinutes(1);
    private static final Duration EVERY = Duration.ofHours(1);

    private final JdbcClient jdbc;
    private final String table;
    private final String timeColumn;
    private final Duration keep;
    private final Counter deleted;
    private final Counter failures;
    private @Nullable ScheduledExecutorService scheduler;

    /**
     * @param table the table to trim
     * @param timeColumn its {@code timestamptz} column that says when a row was written
     * @param keep how long a row stays
     */
    public TableRetention(
            DataSource dataSource, String table, String timeColumn, Duration keep, MeterRegistry registry) {
        if (!IDENTIFIER.matcher(table).matches()
                || !IDENTIFIER.matcher(timeColumn).matches()) {
            throw new IllegalArgumentException("not a plain table and column name: " + table + "." + timeColumn);
        }
        if (keep.isNegative() || keep.isZero()) {
            throw new IllegalArgumentException("retention of " + table + " must be positive, was " + keep);
        }
        this.jdbc = JdbcClient.create(dataSource);
        this.table = table;
        this.timeColumn = timeColumn;
        this.keep = keep;
        this.deleted = Counter.builder("shopflow.retention.deleted")
                .description("Rows deleted because they outlived their table's retention")
                .tag("table", table)
                .register(registry);
        this.failures = Counter.builder("shopflow.retention.failures")
                .description("Retention runs that failed (tried again an hour later)")
                .tag("table", table)
                .register(registry);
    }

    /** Deletes every row older than the retention now; returns how many. */
    public int run() {
        return BatchedDelete.run(
                jdbc,
                table,
                timeColumn + " < now() - make_interval(secs => :seconds)",
                Map.of("seconds", (double) keep.toSeconds()),
                deleted::increment);
    }

    private void runLogged() {
        try {
            int rows = run();
            if (rows > 0) {
                log.info("Deleted {} rows of {} older than {}", rows, table, keep);
            }
        } catch (RuntimeException e) {
            failures.increment();
            log.warn("Retention of {} failed; trying again in {}: {}", table, EVERY, String.valueOf(e));
        }
    }

    @Override
    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name(table + "-retention").daemon().factory());
        scheduler.scheduleWithFixedDelay(this::runLogged, FIRST_RUN.toSeconds(), EVERY.toSeconds(), TimeUnit.SECONDS);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
