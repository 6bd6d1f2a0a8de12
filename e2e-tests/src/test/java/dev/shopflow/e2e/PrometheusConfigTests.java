package dev.shopflow.e2e;

import static dev.shopflow.e2e.Yamls.map;
import static dev.shopflow.e2e.Yamls.maps;
import static dev.shopflow.e2e.Yamls.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;

/**
 * The monitoring files as Prometheus reads them: promtool, from the image compose runs, checks {@code
 * deploy/prometheus} (config, and the rules it loads), runs the alert rules' unit tests ({@code
 * src/test/resources/prometheus/alerts-tests.yml}) and parses every query of the Grafana dashboard; and what can be
 * checked by reading: every alert waits before it fires, has a severity and says what to do with a link to its
 * section of {@code docs/operations-monitoring.md}; compose runs Prometheus under the profile {@code ops} with these
 * files; the Grafana provisioning points at the dashboard.
 */
class PrometheusConfigTests {

    private static final Path TESTS = MonitoringFiles.ROOT.resolve("e2e-tests/src/test/resources/prometheus");
    private static final Path DOCS = MonitoringFiles.ROOT.resolve("docs/operations-monitoring.md");
    private static final Path GRAFANA = MonitoringFiles.ROOT.resolve("deploy/grafana");

    @TempDir
    Path temp;

    @Test
    void promtoolAcceptsTheConfigAndTheRulesItLoads() throws Exception {
        Result config = promtool(
                Map.of(MonitoringFiles.PROMETHEUS, "/etc/prometheus"),
                "check",
                "config",
                "/etc/prometheus/prometheus.yml");
        assertThat(config.exitCode()).as(config.output()).isZero();
        assertThat(config.output()).contains("SUCCESS: 1 rule files found");

        Result rules = promtool(
                Map.of(MonitoringFiles.PROMETHEUS, "/etc/prometheus"), "check", "rules", "/etc/prometheus/alerts.yml");
        assertThat(rules.exitCode()).as(rules.output()).isZero();
        assertThat(rules.output())
                .contains("SUCCESS: " + MonitoringFiles.alertRules().size() + " rules found");
    }

    @Test
    void everyAlertFiresOnWhatItDescribesAndOnlyThen() throws Exception {
        Result tests = promtool(
                Map.of(MonitoringFiles.PROMETHEUS, "/etc/prometheus", TESTS, "/tests"),
                "test",
                "rules",
                "/tests/alerts-tests.yml");

        assertThat(tests.exitCode()).as(tests.output()).isZero();
        Set<String> tested = new HashSet<>();
        for (String line :
                MonitoringFiles.read(TESTS.resolve("alerts-tests.yml")).lines().toList()) {
            if (line.strip().startsWith("alertname:")) {
                tested.add(line.strip().substring("alertname:".length()).strip());
            }
        }
        assertThat(tested).containsAll(MonitoringFiles.alertExpressions().keySet());
    }

    @Test
    void aBrokenRuleIsRefused() throws Exception {
        Path rules = shared(Files.writeString(temp.resolve("broken.yml"), """
                groups:
                  - name: broken
                    rules:
                      - alert: Broken
                        expr: max by (service) (shopflow_outbox_relay_leader == 0
                        for: 2m
                """));

        Result check = promtool(Map.of(temp, "/broken"), "check", "rules", "/broken/" + rules.getFileName());

        assertThat(check.exitCode()).as(check.output()).isNotZero();
        assertThat(check.output()).contains("FAILED");
    }

    @Test
    void everyDashboardQueryIsValidPromQL() throws Exception {
        List<Map<String, Object>> rules = new ArrayList<>();
        List<String> queries = MonitoringFiles.dashboardExpressions();
        for (int i = 0; i < queries.size(); i++) {
            // Grafana's variables ($__rate_interval) stand for durations
            rules.add(Map.of(
                    "record", "dashboard:query_" + i, "expr", queries.get(i).replaceAll("\\$\\{?\\w+}?", "5m")));
        }
        DumperOptions options = new DumperOptions();
        options.setWidth(1000);
        Path file = shared(Files.writeString(
                temp.resolve("dashboard.yml"),
                new Yaml(options).dump(Map.of("groups", List.of(Map.of("name", "dashboard", "rules", rules))))));

        Result check = promtool(Map.of(temp, "/dashboard"), "check", "rules", "/dashboard/" + file.getFileName());

        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + queries.size() + " rules found");
    }

    @Test
    void everyAlertWaitsHasASeverityAndSaysWhatToDo() {
        String docs = MonitoringFiles.read(DOCS);
        List<Map<String, Object>> rules = MonitoringFiles.alertRules();
        assertThat(rules).hasSizeGreaterThanOrEqualTo(10);
        for (Map<String, Object> rule : rules) {
            String alert = String.valueOf(rule.get("alert"));
            assertThat(String.valueOf(rule.get("for"))).as("%s for", alert).matches("\\d+[smh]");
            assertThat(map(rule.get("labels")).get("severity"))
                    .as("%s severity", alert)
                    .isIn("critical", "warning");
            Map<String, Object> annotations = map(rule.get("annotations"));
            assertThat(String.valueOf(annotations.get("summary")))
                    .as("%s summary", alert)
                    .isNotBlank();
            assertThat(String.valueOf(annotations.get("description")))
                    .as("%s description", alert)
                    .hasSizeGreaterThan(100);
            assertThat(annotations.get("runbook"))
                    .as("%s runbook", alert)
                    .isEqualTo("docs/operations-monitoring.md#" + alert.toLowerCase());
            assertThat(docs)
                    .as("a section of docs/operations-monitoring.md for %s", alert)
                    .contains("\n### " + alert + "\n");
        }
    }

    @Test
    void composeRunsPrometheusUnderTheOpsProfileWithTheseFiles() {
        Map<String, Object> services = map(compose().get("services"));
        Map<String, Object> prometheus = map(services.get("prometheus"));
        assertThat(prometheus.get("profiles")).isEqualTo(List.of("ops"));
        assertThat(String.valueOf(prometheus.get("image"))).matches("prom/prometheus:v\\d+\\.\\d+\\.\\d+");
        assertThat(prometheus.get("volumes"))
                .asInstanceOf(InstanceOfAssertFactories.LIST)
                .contains(
                        "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
                        "./deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro");
        assertThat(prometheus.get("ports")).isEqualTo(List.of("127.0.0.1:${PROMETHEUS_PORT:-9090}:9090"));
        assertThat(String.join(" ", strings(map(prometheus.get("healthcheck")).get("test"))))
                .contains("check ready");
        assertThat(prometheus).containsEntry("restart", "unless-stopped");

        Map<String, Object> config =
                new Yaml().load(MonitoringFiles.read(MonitoringFiles.PROMETHEUS.resolve("prometheus.yml")));
        Map<String, Object> job = maps(config.get("scrape_configs")).getFirst();
        assertThat(job).containsEntry("metrics_path", "/actuator/prometheus");
        Map<String, Object> discovery = map(maps(job.get("dns_sd_configs")).getFirst());
        assertThat(discovery).containsEntry("type", "A").containsEntry("port", 9080);
        List<String> targets = strings(discovery.get("names"));
        assertThat(targets).containsExactlyInAnyOrder("order-service", "stock-service", "mail-service");
        assertThat(services).containsKeys(targets.toArray(String[]::new));
    }

    @Test
    void grafanaIsProvisionedWithThePrometheusAndTheDashboard() {
        Map<String, Object> datasources =
                new Yaml().load(MonitoringFiles.read(GRAFANA.resolve("provisioning/datasources/prometheus.yml")));
        Map<String, Object> datasource = maps(datasources.get("datasources")).getFirst();
        assertThat(datasource).containsEntry("type", "prometheus").containsEntry("url", "http://prometheus:9090");

        Map<String, Object> dashboards =
                new Yaml().load(MonitoringFiles.read(GRAFANA.resolve("provisioning/dashboards/shopflow.yml")));
        Map<String, Object> provider = maps(dashboards.get("providers")).getFirst();
        assertThat(provider).containsEntry("type", "file");
        assertThat(map(provider.get("options"))).containsKey("path");

        JsonNode dashboard = MonitoringFiles.dashboard();
        assertThat(dashboard.get("uid").asString()).isEqualTo("shopflow");
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(ids.add(panel.get("id").asInt()))
                    .as("unique panel id %s", panel.get("id"))
                    .isTrue();
            if (!panel.get("type").asString().equals("row")) {
                assertThat(panel.get("datasource").get("uid").asString()).isEqualTo("${datasource}");
                assertThat(panel.get("targets")).isNotEmpty();
            }
        }
    }

    record Result(int exitCode, String output) {}

    /** Runs promtool in the Prometheus image compose runs, with host directories mounted read-only. */
    private Result promtool(Map<Path, String> mounts, String... args) throws Exception {
        assumeTrue(onPath("docker"), "docker is not installed");
        List<String> command = new ArrayList<>(List.of("docker", "run", "--rm"));
        new LinkedHashMap<>(mounts)
                .forEach((host, container) ->
                        command.addAll(List.of("-v", host.toAbsolutePath() + ":" + container + ":ro")));
        command.addAll(List.of("--entrypoint", "promtool", image()));
        command.addAll(List.of(args));
        Path output = Files.createTempFile(temp, "promtool", ".log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        if (!process.waitFor(Duration.ofMinutes(2).toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within 2 minutes");
        }
        return new Result(process.exitValue(), Files.readString(output));
    }

    /** The container's user (nobody) must read what this test writes. */
    private Path shared(Path file) throws IOException {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }

    private static String image() {
        return String.valueOf(
                map(map(compose().get("services")).get("prometheus")).get("image"));
    }

    private static Map<String, Object> compose() {
        return new Yaml().load(MonitoringFiles.read(MonitoringFiles.ROOT.resolve("docker-compose.yml")));
    }

    private static boolean onPath(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }
}
