package dev.shopflow.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code docker compose} for one project of the repository's {@code docker-compose.yml}, on free host ports
 * ({@link ComposeEnvironment}). Every command has a time limit; its output goes to a file under {@code target/e2e/}
 * ({@link ComposeProcess}).
 */
final class Compose {

    private final String project;
    private final Path logs;
    private final Map<String, String> env;
    private final List<String> files = new ArrayList<>(List.of("docker-compose.yml"));
    private final ComposeProcess process;
    private final ContainerStates states = new ContainerStates(this);

    Compose(String project, Path root, Path logs) {
        this.project = project;
        this.logs = logs;
        this.env = ComposeEnvironment.initial(logs);
        this.process = new ComposeProcess(project, root, logs, env, files);
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
                    + states.notHealthy() + "\ncompose said:\n" + tail(result.output(), 15));
        }
    }

    /** A service's containers with their states, and the last log lines of each, for a failure message. */
    String describe(String service, int lines) {
        return states.describe(service, lines);
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

    /**
     * Runs a command that has the stack to itself ({@link PipelineBenchmark}, {@link FaultRun}) and exits the JVM: 0
     * when it returned true, 1 when it returned false or failed, 3 when {@code limit} passed first. Before exiting it
     * keeps the services' last log lines under the log folder and tears the project down ({@code down -v}), also
     * when the JVM is stopped.
     */
    void runAndExit(String name, Duration limit, Consumer<String> progress, RunAndExit.Command command) {
        RunAndExit.run(this, project, logs, name, limit, progress, command);
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
        return process.execute(timeout, false, args);
    }

    /**
     * Runs {@code docker compose <args>} and returns its standard output alone, for commands whose output is parsed
     * (a warning of Compose's on standard error would otherwise end up in the data); fails unless it exits with 0 in
     * time.
     */
    String output(Duration timeout, String... args) {
        Result result = process.execute(timeout, true, args);
        if (result.exitCode() != 0) {
            throw new AssertionError("docker compose " + String.join(" ", args) + " exited with " + result.exitCode()
                    + ":\n" + tail(result.output(), 60));
        }
        return result.output();
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
        return DockerCommand.run(timeout, args);
    }

    record Output(int exitCode, String stdout, String stderr) {}

    static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
