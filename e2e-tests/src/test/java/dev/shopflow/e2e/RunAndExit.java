package dev.shopflow.e2e;

import static dev.shopflow.e2e.Compose.tail;

import dev.shopflow.e2e.Compose.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The lifecycle of a command that has a compose project to itself ({@link PipelineBenchmark}, {@link FaultRun}):
 * a time limit, the services' last log lines kept, the project torn down, the JVM's exit status. See
 * {@link Compose#runAndExit}.
 */
final class RunAndExit {

    /** The work of a command that has the stack to itself; true when it found what it should. */
    interface Command {
        boolean run() throws Exception;
    }

    private RunAndExit() {}

    static void run(
            Compose compose,
            String project,
            Path logs,
            String name,
            Duration limit,
            Consumer<String> progress,
            Command command) {
        AtomicBoolean done = new AtomicBoolean();
        Runnable tearDown = () -> {
            if (done.compareAndSet(false, true)) {
                progress.accept("tearing down (docker compose down -v)");
                Result down = compose.tryRun(Duration.ofMinutes(2), "down", "--volumes", "--remove-orphans");
                if (down.exitCode() != 0) {
                    System.err.println("docker compose down failed:\n" + tail(down.output(), 20));
                }
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(tearDown, project + "-teardown"));
        long deadline = System.nanoTime() + limit.toNanos();
        Thread.ofPlatform().daemon().name(project + "-limit").start(() -> {
            for (long wait = deadline - System.nanoTime(); wait > 0; wait = deadline - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            System.err.println(name + " did not finish within " + limit.toMinutes() + " min; tearing down");
            System.exit(3);
        });
        int status = 1;
        try {
            status = command.run() ? 0 : 1;
        } catch (Exception | AssertionError e) {
            System.err.println(name + " failed: " + e);
            e.printStackTrace();
        }
        for (String service : List.of("order-service", "stock-service", "mail-service", "postgres", "kafka")) {
            compose.tryRun(Duration.ofSeconds(30), "logs", "--no-color", "--tail", "2000", service);
        }
        progress.accept("docker compose commands and the services' last log lines: " + logs);
        tearDown.run();
        System.exit(status);
    }
}
