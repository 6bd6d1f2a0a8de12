package dev.shopflow.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code docker compose} for one project of the repository's {@code docker-compose.yml}, on free host ports. Every
 * command has a time limit; its output goes to a file under {@code target/e2e/} (a build can print a lot).
 */
final class Compose {

    private static final Path LOCAL_CAS = Path.of("/usr/local/share/ca-certificates");
    private static final ExecutorService READERS = Executors.newVirtualThreadPerTaskExecutor();

    private final String project;
    private final Path root;
    private final Path logs;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final AtomicInteger commands = new AtomicInteger();
    private final List<String> files = new ArrayList<>(List.of("docker-compose.yml"));

    Compose(String project, Path root, Path logs) {
        this.project = project;
        this.root = root;
        this.logs = logs;
        for (String port : List.of(
                "ORDER_PORT",
                "STOCK_PORT",
                "MAIL_PORT",
                "GREENMAIL_API_PORT",
                "KAFKA_HOST_PORT",
                "KAFKA_2_HOST_PORT",
                "KAFKA_3_HOST_PORT",
                "ZIPKIN_PORT",
                "PROMETHEUS_PORT")) {
            env.put(port, Integer.toString(freePort()));
        }
        buildCa().ifPresent(ca -> env.put("SHOPFLOW_BUILD_CA", ca.toString()));
    }

    /** Sets an environment variable for every later command (a variable docker-compose.yml reads). */
    Compose withEnv(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Layers another compose file over docker-compose.yml for every later command (docker-compose.ha.yml). */
    Compose withFile(String file) {
        files.add(file);
        return this;
    }

    /** Runs every later command with these compose profiles too ({@code COMPOSE_PROFILES}). */
    Compose withProfiles(String... profiles) {
        env.put("COMPOSE_PROFILES", String.join(",", profiles));
        return this;
    }

    int port(String variable) {
        return Integer.parseInt(env.get(variable));
    }

    /** Runs {@code docker compose <args>} and returns its output; fails unless it exits with 0 in time. */
    String run(Duration timeout, String... args) {
        Result result = tryRun(timeout, args);
        if (result.exitCode() != 0) {
            throw new AssertionError("docker compose " + String.join(" ", args) + " exited with " + result.exitCode()
                    + ":\n" + tail(result.output(), 60));
        }
        return result.output();
    }

    /**
     * Starts stopped (or killed) services again, and nothing else: {@code docker compose start} would first run
     * their one-shot dependencies (kafka-init, admin-password) again, a minute on a busy machine, and the containers
     * started meanwhile may take the stopped service's address.
     */
    void startAgain(Duration timeout, String... services) {
        List<String> args = new ArrayList<>(List.of("restart", "--no-deps"));
        args.addAll(List.of(services));
        run(timeout, args.toArray(String[]::new));
    }

    /**
     * Builds and starts the stack and waits until every service is healthy ({@code up --detach --build --wait}).
     * When it is not, the failure names each container that is not healthy, with its state and last log lines, so
     * that a failed start explains itself where the build prints it.
     */
    void up(Duration timeout, Duration waitTimeout) {
        Result result = tryRun(
                timeout,
                "up",
                "--detach",
                "--build",
                "--wait",
                "--wait-timeout",
                Long.toString(waitTimeout.toSeconds()));
        if (result.exitCode() != 0) {
            throw new AssertionError("docker compose up exited with " + result.exitCode() + "; not healthy:\n"
                    + notHealthy() + "\ncompose said:\n" + tail(result.output(), 15));
        }
    }

    /** A service's containers with their states, and the last log lines of each, for a failure message. */
    String describe(String service, int lines) {
        String states = tryRun(Duration.ofSeconds(30), "ps", "--all", "--format", "{{.Name}}\t{{.Status}}", service)
                .output();
        return states + logLines(service, lines);
    }

    private String logLines(String service, int lines) {
        StringBuilder found = new StringBuilder();
        tryRun(Duration.ofSeconds(30), "logs", "--no-color", "--tail", String.valueOf(lines), service)
                .output()
                .lines()
                .map(log -> "    " + (log.length() > 600 ? log.substring(0, 600) + " ..." : log))
                .forEach(log -> found.append(log).append('\n'));
        return found.toString();
    }

    /** Each container that is neither healthy nor done, with its state and its last log lines. */
    private String notHealthy() {
        StringBuilder found = new StringBuilder();
        String states = tryRun(Duration.ofSeconds(30), "ps", "--all", "--format", "{{.Service}}\t{{.Status}}")
                .output();
        for (String line : states.lines().toList()) {
            String[] parts = line.split("\t", 2);
            if (parts.length < 2 || parts[1].contains("(healthy)") || parts[1].startsWith("Exited (0)")) {
                continue;
            }
            found.append("- ").append(parts[0]).append(": ").append(parts[1]).append('\n');
            found.append(logLines(parts[0], 25));
        }
        return found.isEmpty() ? "(every container healthy or done by now)\n" : found.toString();
    }

    /** Runs a Kafka CLI script inside the kafka container. */
    Result kafkaCli(String script, String... args) {
        return kafkaCliOn("kafka", script, args);
    }

    /** Like {@link #kafkaCli}, in the container of one broker of several ({@code docker-compose.ha.yml}). */
    Result kafkaCliOn(String broker, String script, String... args) {
        List<String> command = new ArrayList<>(List.of("exec", "-T", broker, "/opt/kafka/bin/" + script));
        command.addAll(List.of(args));
        return tryRun(Duration.ofMinutes(1), command.toArray(String[]::new));
    }

    /** The work of a command that has the stack to itself; true when it found what it should. */
    interface Command {
        boolean run() throws Exception;
    }

    /**
     * Runs a command that has the stack to itself ({@link PipelineBenchmark}, {@link FaultRun}) and exits the JVM: 0
     * when it returned true, 1 when it returned false or failed, 3 when {@code limit} passed first. Before exiting it
     * keeps the services' last log lines under the log folder and tears the project down ({@code down -v}), also
     * when the JVM is stopped.
     */
    void runAndExit(String name, Duration limit, Consumer<String> progress, Command command) {
        AtomicBoolean done = new AtomicBoolean();
        Runnable tearDown = () -> {
            if (done.compareAndSet(false, true)) {
                progress.accept("tearing down (docker compose down -v)");
                Result down = tryRun(Duration.ofMinutes(2), "down", "--volumes", "--remove-orphans");
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
            tryRun(Duration.ofSeconds(30), "logs", "--no-color", "--tail", "2000", service);
        }
        progress.accept("docker compose commands and the services' last log lines: " + logs);
        tearDown.run();
        System.exit(status);
    }

    /**
     * Runs one SQL statement with psql inside the postgres container, as {@code user} (whose password, in the compose
     * stack's development defaults, is its name), and returns what it printed unaligned, without headers.
     */
    String psql(String database, String user, String sql) {
        return psqlOn("postgres", database, user, sql);
    }

    /** Like {@link #psql}, on one server of several: the primary or the standby ({@code docker-compose.ha.yml}). */
    String psqlOn(String server, String database, String user, String sql) {
        return output(
                Duration.ofMinutes(2),
                "exec",
                "-T",
                "-e",
                "PGPASSWORD=" + user,
                server,
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                user,
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-AtqX",
                "-c",
                sql);
    }

    Result tryRun(Duration timeout, String... args) {
        return execute(timeout, false, args);
    }

    /**
     * Runs {@code docker compose <args>} and returns its standard output alone, for commands whose output is parsed
     * (a warning of Compose's on standard error would otherwise end up in the data); fails unless it exits with 0 in
     * time.
     */
    String output(Duration timeout, String... args) {
        Result result = execute(timeout, true, args);
        if (result.exitCode() != 0) {
            throw new AssertionError("docker compose " + String.join(" ", args) + " exited with " + result.exitCode()
                    + ":\n" + tail(result.output(), 60));
        }
        return result.output();
    }

    /** @param stdoutOnly the result holds standard output only (standard error goes to a log file of its own) */
    private Result execute(Duration timeout, boolean stdoutOnly, String... args) {
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

    record Result(int exitCode, String output) {}

    /**
     * The ids of this project's running containers ({@code docker compose ps --quiet}), for {@link #docker} commands
     * on them.
     */
    List<String> containerIds() {
        return output(Duration.ofSeconds(30), "ps", "--quiet")
                .lines()
                .map(String::strip)
                .filter(id -> !id.isEmpty())
                .toList();
    }

    /**
     * Runs plain {@code docker <args>} ({@code exec} or {@code inspect} of this project's containers, by id) and
     * returns its standard output and standard error apart. Not logged to a file (samplers call it every 2 s), and it
     * never fails: a command that could not start or did not finish in time has exit code -1.
     */
    Output docker(Duration timeout, String... args) {
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

    record Output(int exitCode, String stdout, String stderr) {}

    private static String readAll(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /**
     * The extra CA the image build trusts: {@code SHOPFLOW_BUILD_CA} if set; otherwise the certificates this machine
     * trusts on top of the usual ones (Debian's {@code /usr/local/share/ca-certificates}), so that a machine whose
     * own Maven works behind a TLS-inspecting proxy can also build the images.
     */
    private Optional<Path> buildCa() {
        String configured = System.getenv("SHOPFLOW_BUILD_CA");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured));
        }
        if (!Files.isDirectory(LOCAL_CAS)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.walk(LOCAL_CAS)) {
            List<Path> certificates = files.filter(file -> file.toString().endsWith(".crt"))
                    .sorted()
                    .toList();
            if (certificates.isEmpty()) {
                return Optional.empty();
            }
            StringBuilder bundle = new StringBuilder();
            for (Path certificate : certificates) {
                bundle.append(Files.readString(certificate, StandardCharsets.US_ASCII))
                        .append('\n');
            }
            Files.createDirectories(logs);
            Path file = logs.resolve("build-ca.pem");
            Files.writeString(file, bundle, StandardCharsets.US_ASCII);
            return Optional.of(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
