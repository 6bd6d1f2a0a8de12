package dev.shopflow.e2e;

import static dev.shopflow.e2e.Figures.text;
import static dev.shopflow.e2e.Progress.progress;

import dev.shopflow.e2e.BaselinePhase.Pgbench;
import dev.shopflow.e2e.DrainPhase.Drain;
import dev.shopflow.e2e.OrderTraffic.Placed;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Figures for the whole pipeline as {@code docker-compose.yml} runs it, images built from this working tree: what
 * PostgreSQL alone does with the API's write transaction (pgbench), what {@code POST /orders} takes in a closed loop,
 * how fast stock-service and mail-service work off a backlog, which steady order rates the system sustains end to
 * end (order settled and both mails sent), what it does at three times its capacity and after ({@link
 * OverloadPhase}), and the CPU each container spends per order ({@link ContainerUsage}). Not a test, so that {@code
 * ./mvnw verify} never runs it: run it with {@code ./mvnw -q -pl e2e-tests test-compile exec:java};
 * docs/benchmarks.md ("Pipeline") says what each figure means.
 *
 * <p>Settings (system properties): {@code bench.rates} (orders/s, default 50,200,500,1000), {@code bench.step} (each
 * rate's duration, default 60s), {@code bench.limit} (the whole run, default 30m: then it tears down and exits 3),
 * {@code bench.drainLimit} (default 10m), {@code bench.maxInFlight} (default 256), {@code bench.warmUp} (default
 * 60s); the overload phase: {@code bench.overload} (default true), {@code bench.overloadOnly} (pgbench and the
 * overload phase only, default false), {@code bench.overloadClosed} (default 20s), {@code bench.overloadStep} (the
 * spike's and the recovery's length, default 60s), {@code bench.overloadMaxInFlight} (default 4096). It exits 0
 * when it measured everything it could, whatever the figures.
 */
final class PipelineBenchmark {

    private static final Path ROOT =
            Path.of(System.getProperty("shopflow.root", "..")).toAbsolutePath().normalize();
    private static final Path LOGS = ROOT.resolve("e2e-tests/target/bench");
    /** The run's orders' customers start with this: each phase's and step's orders share a customer of their own. */
    private static final String CUSTOMERS =
            "bench-" + UUID.randomUUID().toString().substring(0, 8);

    private final BenchmarkSettings settings;
    private final Compose compose;
    private final Machine machine;
    private final ContainerUsage usage;
    private final TimeLimit timeLimit;
    private final LoadAverages loads = new LoadAverages();

    private PipelineBenchmark(BenchmarkSettings settings, Compose compose, Machine machine) {
        this.settings = settings;
        this.compose = compose;
        this.machine = machine;
        this.usage = new ContainerUsage(compose);
        this.timeLimit = new TimeLimit(settings.limit());
    }

    public static void main(String[] args) {
        BenchmarkSettings settings;
        try {
            settings = BenchmarkSettings.fromSystemProperties();
        } catch (IllegalArgumentException e) {
            System.err.println("Pipeline benchmark: " + e.getMessage());
            System.exit(2);
            return;
        }
        Machine machine = Machine.now();
        Compose compose = new Compose("shopflow-bench", ROOT, LOGS);
        compose.runAndExit("Pipeline benchmark", settings.limit(), Progress::progress, () -> {
            new PipelineBenchmark(settings, compose, machine).run();
            return true;
        });
    }

    private void run() throws Exception {
        progress("machine: " + machine.describe());
        progress("settings: " + settings.describe());
        BenchmarkStack stack = BenchmarkStack.start(compose, LOGS);
        try (ConsumerLag lag = new ConsumerLag("localhost:" + compose.port("KAFKA_HOST_PORT"))) {
            lag.start();
            progress("stopping stock-service and mail-service for the baseline and the closed loop");
            compose.run(Duration.ofMinutes(2), "stop", "stock-service", "mail-service");
            BaselinePhase baseline = new BaselinePhase(stack, usage, settings.warmUp(), CUSTOMERS + "-closed", LOGS);
            Map<Integer, Pgbench> pgbench = baseline.pgbench();
            loads.record("pgbench");
            DrainPhase drainPhase = new DrainPhase(stack, lag, settings.drainLimit(), timeLimit);
            Map<Integer, Placed> api = Map.of();
            int apiPayload = 0;
            Drain drain = null;
            List<RateStep> steps = List.of();
            if (settings.overload().only()) {
                baseline.warmUp();
                progress("bench.overloadOnly: starting stock-service and mail-service on the warm-up's backlog"
                        + " (not reported)");
                drainPhase.run();
            } else {
                api = baseline.closedLoop();
                loads.record("closed loop");
                apiPayload = baseline.apiPayload();
                drain = drainPhase.run();
                loads.record("drain");
                steps = new SteadyRates(stack, lag, usage, settings, timeLimit, CUSTOMERS).run(loads);
            }
            OverloadPhase.Outcome overload = overload(stack, lag);
            long deadLetters = lag.deadLetters();
            System.out.print(new BenchmarkReport(machine, settings, ROOT, loads)
                    .text(stack.postgresVersion(), pgbench, api, apiPayload, drain, steps, overload, deadLetters, lag));
        }
    }

    /** Phase D, when asked for and the time limit leaves its load + 2 minutes. */
    private OverloadPhase.Outcome overload(BenchmarkStack stack, ConsumerLag lag) throws Exception {
        OverloadSettings overload = settings.overload();
        if (!overload.run()) {
            return new OverloadPhase.Outcome(Optional.empty(), "not run (bench.overload=false)");
        }
        if (timeLimit.remaining().compareTo(overload.load().plusMinutes(2)) < 0) {
            return new OverloadPhase.Outcome(Optional.empty(), "not run (time limit " + text(settings.limit()) + ")");
        }
        OverloadResult result = new OverloadPhase(
                        overload,
                        stack.traffic(),
                        lag,
                        usage,
                        stack.completions(),
                        stack.shop(),
                        CUSTOMERS + "-overload",
                        timeLimit::bounded)
                .run();
        loads.record("overload");
        return new OverloadPhase.Outcome(Optional.of(result), "");
    }
}
