package dev.shopflow.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The monitoring files under {@code deploy/}: the Prometheus alert rules ({@code deploy/prometheus/alerts.yml}) and
 * the Grafana dashboard ({@code deploy/grafana/dashboards/shopflow.json}), and the metric names their queries use,
 * so a test can check that the services really expose each one.
 */
final class MonitoringFiles {

    static final Path ROOT =
            Path.of(System.getProperty("shopflow.root", "..")).toAbsolutePath().normalize();
    static final Path PROMETHEUS = ROOT.resolve("deploy/prometheus");
    static final Path ALERTS = PROMETHEUS.resolve("alerts.yml");
    static final Path DASHBOARD = ROOT.resolve("deploy/grafana/dashboards/shopflow.json");

    /** Series Prometheus makes itself for every target; no service exposes them. */
    private static final Set<String> FROM_PROMETHEUS = Set.of("up", "ALERTS", "ALERTS_FOR_STATE");

    private static final Set<String> KEYWORDS = Set.of(
            "and",
            "or",
            "unless",
            "bool",
            "offset",
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "inf",
            "nan",
            "start",
            "end");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern LABEL_LIST =
            Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");

    private MonitoringFiles() {}

    /**
     * Every metric the alert rules and the dashboard query, as the sample names of {@code /actuator/prometheus}
     * ({@code _total}, {@code _bucket}, {@code _count}, {@code _sum}, {@code _max} kept as the query has them), without
     * the series Prometheus makes itself ({@code up}).
     */
    static Set<String> metricNames() {
        Set<String> names = new TreeSet<>();
        alertExpressions().values().forEach(expr -> names.addAll(metricNames(expr)));
        dashboardExpressions().forEach(expr -> names.addAll(metricNames(expr)));
        return names;
    }

    /**
     * The names of {@link #metricNames()} that none of the scrapes has a sample of.
     *
     * @param scrapes the text of {@code /actuator/prometheus} of each service
     */
    static Set<String> missingFrom(Collection<String> scrapes) {
        Set<String> exposed = new TreeSet<>();
        for (String scrape : scrapes) {
            scrape.lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#"))
                    .map(line -> line.split("[{ ]", 2)[0])
                    .forEach(exposed::add);
        }
        Set<String> missing = new TreeSet<>(metricNames());
        missing.removeAll(exposed);
        return missing;
    }

    /** The metric names one PromQL expression (or Grafana query, with {@code $variables}) reads. */
    static Set<String> metricNames(String promql) {
        String expr = STRING.matcher(promql).replaceAll(" ");
        expr = GRAFANA_VARIABLE.matcher(expr).replaceAll(" ");
        expr = MATCHERS.matcher(expr).replaceAll(" ");
        expr = RANGE.matcher(expr).replaceAll(" ");
        expr = LABEL_LIST.matcher(expr).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher identifier = IDENTIFIER.matcher(expr);
        while (identifier.find()) {
            String name = identifier.group(1);
            if (!KEYWORDS.contains(name.toLowerCase()) && !FROM_PROMETHEUS.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    /** Each alert's expression, by alert name, in file order. */
    static Map<String, String> alertExpressions() {
        Map<String, String> expressions = new LinkedHashMap<>();
        for (Map<String, Object> rule : alertRules()) {
            expressions.put(String.valueOf(rule.get("alert")), String.valueOf(rule.get("expr")));
        }
        return expressions;
    }

    /** The alert rules of {@code alerts.yml}, each as YAML gives it (alert, expr, for, labels, annotations). */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> alertRules() {
        Map<String, Object> file = new Yaml().load(read(ALERTS));
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
            rules.addAll((List<Map<String, Object>>) group.get("rules"));
        }
        return rules;
    }

    /** Every query of every panel of the dashboard, rows' panels included. */
    static List<String> dashboardExpressions() {
        List<String> expressions = new ArrayList<>();
        collectExpressions(dashboard().get("panels"), expressions);
        return expressions;
    }

    static JsonNode dashboard() {
        return JsonMapper.builder().build().readTree(read(DASHBOARD));
    }

    private static void collectExpressions(JsonNode panels, List<String> into) {
        if (panels == null) {
            return;
        }
        for (JsonNode panel : panels) {
            JsonNode targets = panel.get("targets");
            if (targets != null) {
                for (JsonNode target : targets) {
                    if (target.hasNonNull("expr")) {
                        into.add(target.get("expr").asString());
                    }
                }
            }
            collectExpressions(panel.get("panels"), into);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
