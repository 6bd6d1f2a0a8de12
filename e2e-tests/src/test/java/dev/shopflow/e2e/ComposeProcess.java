package dev.shopflow.e2e;

import static dev.shopflow.e2e.Compose.tail;

import dev.shopflow.e2e.Compose.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one {@code docker compose} command of a project with a time limit, its output in a numbered file under the log
 * folder (a build can print a lot).
 */
final class ComposeProcess {

    private final String project;
    private final Path root;
    private final Path logs;
    private final Map<String, String> env;
    private final List<String> files;
    private final AtomicInteger commands = new AtomicInteger();

    /** {@code env} and {@code files} are read at each command: what is added to them later counts from then on. */
    ComposeProcess(String project, Path root, Path logs, Map<String, String> env, List<String> files) {
        this.project = project;
        this.root = root;
        this.logs = logs;
        this.env = env;
        this.files = files;
    }

    /** @param stdoutOnly the result holds standard output only (standard error goes to a log file of its own) */
    Result execute(Duration timeout, boolean stdoutOnly, String... args) {
        List<String> command = new ArrayList<>(List.of("docker", "compose", "-p", project));
        files.forEach(file -> command.addAll(List.of("-f", root.resolve(file).toString())));
        command.addAll(List.of(args));
        try {
            Files.createDirectories(logs);
            Path log = logs.resolve("%02d-%s.log".formatted(commands.incrementAndGet(), args[0]));
            ProcessBuilder builder =
                    new ProcessBuilder(command).directory(root.toFile()).redirectOutput(log.toFile());
            Path errors = log.resolveSibling(log.getFileName() + ".stderr");
            if (stdoutOnly) {
                builder.redirectError(errors.toFile());
            } else {
                builder.redirectErrorStream(true);
            }
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("docker compose " + String.join(" ", args) + " did not finish within "
                        + timeout + ":\n" + tail(Files.readString(stdoutOnly ? errors : log), 60));
            }
            if (stdoutOnly && process.exitValue() != 0) {
                return new Result(process.exitValue(), Files.readString(log) + Files.readString(errors));
            }
            return new Result(process.exitValue(), Files.readString(log));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
