package dev.shopflow.relay;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Makes exactly one replica of a service run its relay. Every replica tries to take a PostgreSQL advisory lock
 * named after the slot, on a connection of its own; whoever holds it leads and runs the engine, the others wait
 * and try again every {@code leader-check-interval}.
 *
 * <p>The lock lives exactly as long as the leader's database session. A leader that dies, even by SIGKILL, loses
 * its session and so the lock; a standby takes over at its next check. A leader whose lock connection breaks
 * stops its engine before anyone else can start one. While it leads it checks, every {@code
 * leader-check-interval}, that its engine runs and that PostgreSQL has not invalidated its slot; it restarts the
 * engine when either is wrong.
 */
final class RelayLeadership implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RelayLeadership.class);
    /** The longest wait before starting a failed engine again; the first is {@code leader-check-interval}. */
    private static final Duration MAX_RESTART_WAIT = Duration.ofSeconds(30);

    private final RelayProperties properties;
    private final PostgresCoordinates database;
    private @Nullable ScheduledExecutorService scheduler;
    private @Nullable DebeziumRelay relay;
    private @Nullable OutboxRetention retention;
    private @Nullable Connection lock;
    private volatile boolean leader;
    private volatile @Nullable Instant leaderSince;
    private volatile boolean running;
    private volatile @Nullable String lockProblem;
    private final BackOff restartBackOff;
    private BackOffExecution restartWaits;
    private long nextRestartAt;

    RelayLeadership(RelayProperties properties, PostgresCoordinates database) {
        this.properties = properties;
        this.database = database;
        ExponentialBackOff restartBackOff =
                new ExponentialBackOff(properties.leaderCheckInterval().toMillis(), 2.0);
        restartBackOff.setMaxInterval(MAX_RESTART_WAIT.toMillis());
        this.restartBackOff = restartBackOff;
        this.restartWaits = restartBackOff.start();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("outbox-relay-leadership").daemon().factory());
    }

    void manage(DebeziumRelay relay, OutboxRetention retention) {
        this.relay = relay;
        this.retention = retention;
    }

    boolean isLeader() {
        return leader;
    }

    /** When this replica took the lead; null while it does not lead. */
    @Nullable
    Instant leaderSince() {
        return leader ? leaderSince : null;
    }

    /** Why this replica could not try for the leader lock at its last check (no primary reachable); else null. */
    @Nullable
    String lockProblem() {
        return lockProblem;
    }

    boolean isEngineRunning() {
        return relay != null && relay.isRunning();
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        // one thread of its own, not a shared TaskScheduler: ticks and the step-down in stop() run one after
        // another on it, so the lock connection and the engine are only ever touched by one thread, and no other
        // task delays a tick
        scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("outbox-relay-leadership").daemon().factory());
        long interval = properties.leaderCheckInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::tick, 0, interval, TimeUnit.MILLISECONDS);
    }

    /** Steps down (stopping the engine, releasing the lock); {@link #start} may follow, as a paused context does. */
    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        try {
            scheduler.submit(this::stepDown).get(40, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("Stepping down as outbox relay leader failed", e);
        }
        scheduler.shutdownNow();
        scheduler = null;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stop late (after the web server), start early: the relay drains what the app wrote. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1024;
    }

    private void tick() {
        if (!running) {
            return;
        }
        try {
            if (!leader) {
                tryToLead();
            } else if (!lockHeld()) {
                log.error("Lost the outbox relay leader lock (database session gone); stopping the relay");
                stepDown();
            } else {
                keepRelayRunning();
                retention.runIfDue();
            }
        } catch (RuntimeException e) {
            log.error("Outbox relay leadership check failed", e);
        }
    }

    private void tryToLead() {
        try {
            if (lock == null || !lock.isValid(2)) {
                closeLock();
                lock = database.connect("outbox-relay-lock-" + properties.slotName());
            }
            try (PreparedStatement statement = lock.prepareStatement("select pg_try_advisory_lock(hashtext(?))")) {
                statement.setString(1, "shopflow-outbox-relay:" + properties.slotName());
                try (ResultSet result = statement.executeQuery()) {
                    result.next();
                    leader = result.getBoolean(1);
                }
            }
        } catch (SQLException e) {
            log.warn("Cannot reach the database to take the outbox relay leader lock: {}", e.getMessage());
            lockProblem = e.getMessage();
            closeLock();
            return;
        }
        lockProblem = null;
        if (leader) {
            leaderSince = Instant.now();
            log.info("This replica leads the outbox relay (slot {})", properties.slotName());
            restartWaits = restartBackOff.start();
            nextRestartAt = 0;
            keepRelayRunning();
        }
    }

    private void keepRelayRunning() {
        if (relay.isRunning()) {
            Optional<String> invalidated = relay.slotInvalidation();
            if (invalidated.isEmpty()) {
                return;
            }
            log.error(
                    "Replication slot {} was invalidated by PostgreSQL ({}) while the relay ran; restarting the"
                            + " engine, which recreates the slot and re-reads the outbox",
                    properties.slotName(),
                    invalidated.get());
        } else if (System.currentTimeMillis() < nextRestartAt) {
            return;
        }
        try {
            relay.stop();
            relay.start();
            restartWaits = restartBackOff.start();
        } catch (RuntimeException e) {
            Duration wait = Duration.ofMillis(restartWaits.nextBackOff());
            log.error("Starting the outbox relay failed; retrying in {}", wait, e);
            nextRestartAt = System.currentTimeMillis() + wait.toMillis();
        }
    }

    private boolean lockHeld() {
        try {
            return lock != null && lock.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private void stepDown() {
        if (relay != null) {
            relay.stop();
        }
        if (leader) {
            log.info("This replica no longer leads the outbox relay (slot {})", properties.slotName());
        }
        leader = false;
        closeLock();
    }

    private void closeLock() {
        if (lock != null) {
            try {
                lock.close();
            } catch (SQLException e) {
                log.debug("Closing the leader lock connection failed", e);
            }
            lock = null;
        }
    }
}
