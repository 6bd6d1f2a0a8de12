package dev.shopflow.e2e;

import static dev.shopflow.e2e.Figures.seconds;

import dev.shopflow.e2e.Completions.Completion;
import dev.shopflow.e2e.Completions.MailCheck;
import dev.shopflow.e2e.ConsumerLag.Sample;
import dev.shopflow.e2e.ContainerUsage.Reading;
import dev.shopflow.e2e.ContainerUsage.Snapshot;
import dev.shopflow.e2e.OrderTraffic.Placed;
import dev.shopflow.e2e.OrderTraffic.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What {@link OverloadPhase} measured, for {@link OverloadReport}.
 *
 * @param quietBefore whether the pipeline was quiet when the phase started
 * @param capacity C, the closed loop's accepted orders per second
 * @param parts the closed loop, and with C above 0 the spike and the recovery
 * @param spikeEndNanos System.nanoTime
 * @param spikeEndMicros epoch microseconds
 * @param quietAfter the first sample of the quiet pipeline after the recovery, if it was quiet in time
 * @param lagUntilNanos the end of the lag samples looked at
 * @param memoryPeaks the services' memory sampled during the spike and the recovery, per container label
 * @param before the containers at the closed loop's start
 * @param after the containers once the pipeline was quiet again (or the wait gave up)
 */
record OverloadResult(
        OverloadSettings settings,
        boolean quietBefore,
        double capacity,
        List<Part> parts,
        long spikeEndNanos,
        long spikeEndMicros,
        long recoveryEndNanos,
        Optional<Sample> quietAfter,
        long lagUntilNanos,
        Map<String, GroupRecovery> lags,
        Map<String, Long> memoryPeaks,
        int memoryRounds,
        Snapshot before,
        Snapshot after,
        Completion completion,
        MailCheck mails) {

    /** One load of the phase: the closed loop, the spike or the recovery. */
    record Part(String name, Duration duration, Placed placed) {

        double perSecond(long count) {
            return count / seconds(duration);
        }

        long count(Predicate<Request> which) {
            return placed.requests().stream().filter(which).count();
        }

        /** Sorted latencies of the answers with this status. */
        long[] latencies(int status) {
            return placed.requests().stream()
                    .filter(request -> request.status() == status)
                    .mapToLong(Request::latencyMicros)
                    .sorted()
                    .toArray();
        }
    }

    /** A group's lag from the start of the spike: its peak, and when it got back to 0 to stay, if it did. */
    record GroupRecovery(long peak, Optional<Long> backNanos, boolean sampled) {

        static GroupRecovery of(String group, List<Sample> samples) {
            if (samples.isEmpty()) {
                return new GroupRecovery(0, Optional.empty(), false);
            }
            long peak =
                    samples.stream().mapToLong(s -> s.lag().get(group)).max().orElse(0);
            int lastBehind = -1;
            for (int i = 0; i < samples.size(); i++) {
                if (samples.get(i).lag().get(group) > 0) {
                    lastBehind = i;
                }
            }
            if (lastBehind == samples.size() - 1) {
                return new GroupRecovery(peak, Optional.empty(), true);
            }
            return new GroupRecovery(
                    peak, Optional.of(samples.get(lastBehind + 1).nanos()), true);
        }
    }

    /** The CPU window: from the closed loop's start until the pipeline was quiet again; per completed order. */
    ContainerUsage.Window cpu() {
        return new ContainerUsage.Window("overload", before, after, completion.completed());
    }

    List<String> alarms() {
        return alarms(before, after);
    }

    /** Restarts, OOM kills and containers gone between the two snapshots: they explain every other figure. */
    static List<String> alarms(Snapshot before, Snapshot after) {
        List<String> alarms = new ArrayList<>();
        for (String label : ContainerUsage.labels(List.of(before, after))) {
            Reading start = before.readings().get(label);
            Reading end = after.readings().get(label);
            if (end == null) {
                alarms.add("!!! %s is NOT RUNNING after the overload phase".formatted(label));
                continue;
            }
            int restartsBefore = start == null ? 0 : start.container().restarts();
            if (end.container().restarts() != restartsBefore) {
                alarms.add("!!! %s RESTARTED during the overload phase (RestartCount %d -> %d)"
                        .formatted(label, restartsBefore, end.container().restarts()));
            }
            if (end.container().oomKilled()) {
                boolean already = start != null && start.container().oomKilled();
                alarms.add("!!! %s was OOM-KILLED (State.OOMKilled true%s)"
                        .formatted(label, already ? ", already before the phase" : ""));
            }
        }
        return alarms;
    }
}
