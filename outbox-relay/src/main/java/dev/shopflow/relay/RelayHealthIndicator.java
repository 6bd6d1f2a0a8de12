package dev.shopflow.relay;

import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code outboxRelay} health: UP as leader (relaying) or standby; DOWN when this replica leads but its engine is
 * not running or Kafka has not acknowledged sends for a while. Orders are still accepted while it is DOWN; the
 * events wait in the outbox.
 */
final class RelayHealthIndicator implements HealthIndicator {

    /**
     * A batch Kafka has not taken for this long counts as failing (the producer itself retries without a deadline);
     * long enough that a large batch on a busy machine does not flap the health.
     */
    static final Duration STALLED_AFTER = Duration.ofSeconds(10);

    private final RelayLeadership leadership;
    private final RelayMetrics metrics;
    private final OffsetCheck offsetCheck;
    private final ParkedEvents parked;

    RelayHealthIndicator(
            RelayLeadership leadership, RelayMetrics metrics, OffsetCheck offsetCheck, ParkedEvents parked) {
        this.leadership = leadership;
        this.metrics = metrics;
        this.offsetCheck = offsetCheck;
        this.parked = parked;
    }

    @Override
    public Health health() {
        if (!leadership.isLeader()) {
            // UP even when no primary answers: the service's own database health says that, and a standby that
            // is DOWN would be taken out of service although it relays nothing
            Health.Builder standby = Health.up().withDetail("role", "standby");
            String lockProblem = leadership.lockProblem();
            if (lockProblem != null) {
                standby.withDetail("leaderLock", "cannot reach the primary to try for the lead: " + lockProblem);
            }
            return standby.build();
        }
        Instant failingSince = metrics.failingSince(STALLED_AFTER);
        Health.Builder health;
        if (!leadership.isEngineRunning()) {
            health = Health.down().withDetail("state", "engine not running");
        } else if (failingSince != null) {
            health = Health.down()
                    .withDetail("state", "Kafka not acknowledging")
                    .withDetail("failingSince", failingSince.toString());
        } else {
            health = Health.up().withDetail("state", "relaying");
        }
        health.withDetail("role", "leader");
        if (metrics.primary() != null) {
            health.withDetail("primary", String.valueOf(metrics.primary()));
        }
        if (metrics.lastProgress() != null) {
            health.withDetail("lastProgress", String.valueOf(metrics.lastProgress()));
        }
        if (metrics.lastError() != null) {
            health.withDetail("lastError", String.valueOf(metrics.lastError()));
        }
        offsetCheck.problem().ifPresent(problem -> health.withDetail("offsetCheck", problem));
        double waiting = parked.count();
        if (waiting > 0) {
            health.withDetail("parked", (long) waiting + " events Kafka refused; see outbox_parked");
        }
        return health.build();
    }
}
