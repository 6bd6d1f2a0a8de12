package dev.shopflow.order;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

/**
 * order-service running in a JVM of its own against the test's database and Kafka, so that a test can kill it
 * the hard way (SIGKILL): no shutdown hook, no offset flush, no lock release but the one the database does.
 */
final class RelayProcess implements AutoCloseable {

    private final Process process;
    private final HttpApi api;
    private final String name;

    private RelayProcess(String name, Process process, int managementPort) {
        this.name = name;
        this.process = process;
        this.api = new HttpApi(managementPort);
    }

    static RelayProcess start(String name, JdbcConnectionDetails database, String kafka) {
        int port = freePort();
        int managementPort = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Xmx384m",
                "-cp",
                System.getProperty("java.class.path"),
                OrderServiceApplication.class.getName(),
                "--server.port=" + port,
                "--management.server.port=" + managementPort,
                "--shopflow.admin.port=0",
                "--spring.datasource.url=" + database.getJdbcUrl(),
                "--spring.datasource.username=" + database.getUsername(),
                "--spring.datasource.password=" + database.getPassword(),
                "--spring.kafka.bootstrap-servers=" + kafka,
                "--shopflow.outbox.relay.heartbeat-interval=1s",
                "--shopflow.outbox.relay.leader-check-interval=1s"));
        File log = Path.of("target", "relay-" + name + ".log").toFile();
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                    .start();
            return new RelayProcess(name, process, managementPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "leader", "standby", or "down" while the process does not answer. */
    String role() {
        try {
            JsonNode health = api.get("/actuator/health/outboxRelay").json();
            JsonNode role = health.path("details").path("role");
            return role.isMissingNode() ? "down" : role.asString();
        } catch (RuntimeException e) {
            return "down";
        }
    }

    /** The outbox relay's health details; empty while the process does not answer. */
    JsonNode relayHealthDetails() {
        try {
            return api.get("/actuator/health/outboxRelay").json().path("details");
        } catch (RuntimeException e) {
            return MissingNode.getInstance();
        }
    }

    boolean isRelaying() {
        try {
            JsonNode health = api.get("/actuator/health/outboxRelay").json();
            return "relaying".equals(health.path("details").path("state").asString());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** SIGKILL: the process gets no chance to clean up. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        kill();
    }

    @Override
    public String toString() {
        return name;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
