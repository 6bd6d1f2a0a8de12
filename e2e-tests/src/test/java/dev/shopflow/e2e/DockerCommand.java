package dev.shopflow.e2e;

import dev.shopflow.e2e.Compose.Output;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Plain {@code docker <args>}, for {@link Compose#docker}: not logged to a file (samplers call it every 2 s), and it
 * never fails: a command that could not start or did not finish in time has exit code -1.
 */
final class DockerCommand {

    private static final ExecutorService READERS = Executors.newVirtualThreadPerTaskExecutor();

    private DockerCommand() {}

    static Output run(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).start();
            process.getOutputStream().close();
            // each stream read on a thread of its own: on the common pool (one thread on 2 cores) a reader could wait
            // behind another command's, and a command whose output outgrows the pipe (docker inspect) never ends
            CompletableFuture<String> errors =
                    CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()), READERS);
            CompletableFuture<String> output =
                    CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()), READERS);
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return new Output(-1, "", "docker " + String.join(" ", args) + " did not finish within " + timeout);
            }
            return new Output(process.exitValue(), output.join(), errors.join());
        } catch (IOException e) {
            return new Output(-1, "", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String readAll(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
