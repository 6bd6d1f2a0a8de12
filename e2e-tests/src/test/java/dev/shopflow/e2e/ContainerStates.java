package dev.shopflow.e2e;

import java.time.Duration;

/** The states and last log lines of a compose project's containers, for failure messages. */
final class ContainerStates {

    private final Compose compose;

    ContainerStates(Compose compose) {
        this.compose = compose;
    }

    /** A service's containers with their states, and the last log lines of each. */
    String describe(String service, int lines) {
        String states = compose.tryRun(
                        Duration.ofSeconds(30), "ps", "--all", "--format", "{{.Name}}\t{{.Status}}", service)
                .output();
        return states + logLines(service, lines);
    }

    /** Each container that is neither healthy nor done, with its state and its last log lines. */
    String notHealthy() {
        StringBuilder found = new StringBuilder();
        String states = compose.tryRun(Duration.ofSeconds(30), "ps", "--all", "--format", "{{.Service}}\t{{.Status}}")
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

    private String logLines(String service, int lines) {
        StringBuilder found = new StringBuilder();
        compose.tryRun(Duration.ofSeconds(30), "logs", "--no-color", "--tail", String.valueOf(lines), service)
                .output()
                .lines()
                .map(log -> "    " + (log.length() > 600 ? log.substring(0, 600) + " ..." : log))
                .forEach(log -> found.append(log).append('\n'));
        return found.toString();
    }
}
