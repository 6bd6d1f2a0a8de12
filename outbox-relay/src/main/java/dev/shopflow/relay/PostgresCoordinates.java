package dev.shopflow.relay;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;

/**
 * Where the service's PostgreSQL is, in the pieces Debezium wants rather than as a JDBC URL. The URL may name
 * several servers, in pgJDBC's failover syntax ({@code jdbc:postgresql://pg-a:5432,pg-b:5432/orders
 * ?targetServerType=primary}); Debezium takes one host, so the relay asks which of them is the primary ({@link
 * #primary}) each time it starts its engine.
 */
record PostgresCoordinates(String jdbcUrl, List<Host> hosts, String database, String username, String password) {

    /** One server of the URL. */
    record Host(String name, int port) {

        @Override
        public String toString() {
            return (name.contains(":") ? "[" + name + "]" : name) + ":" + port;
        }
    }

    /**
     * pgJDBC's parameters that choose among the URL's hosts: dropped where the relay has chosen one host itself, so
     * the driver neither re-checks nor refuses it.
     */
    static final Set<String> HOST_CHOICE_PARAMETERS =
            Set.of("targetServerType", "loadBalanceHosts", "hostRecheckSeconds");

    private static final String PREFIX = "jdbc:postgresql://";
    private static final int DEFAULT_PORT = 5432;

    PostgresCoordinates {
        hosts = List.copyOf(hosts);
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("The outbox relay needs at least one host in " + jdbcUrl);
        }
    }

    static PostgresCoordinates of(JdbcConnectionDetails details) {
        return parse(details.getJdbcUrl(), details.getUsername(), details.getPassword());
    }

    /** Reads a PostgreSQL JDBC URL with one host or several, each with its port or 5432. */
    static PostgresCoordinates parse(String url, String username, String password) {
        if (!url.startsWith(PREFIX)) {
            throw new IllegalStateException("The outbox relay needs a PostgreSQL JDBC URL, got " + url);
        }
        String rest = url.substring(PREFIX.length());
        int query = rest.indexOf('?');
        String beforeQuery = query < 0 ? rest : rest.substring(0, query);
        int slash = beforeQuery.indexOf('/');
        if (slash < 0 || slash == beforeQuery.length() - 1) {
            throw new IllegalStateException("The outbox relay needs the database named in the JDBC URL, got " + url);
        }
        List<Host> hosts = new ArrayList<>();
        for (String host : beforeQuery.substring(0, slash).split(",")) {
            hosts.add(host(host.strip(), url));
        }
        String database = URLDecoder.decode(beforeQuery.substring(slash + 1), StandardCharsets.UTF_8);
        return new PostgresCoordinates(url, hosts, database, username, password);
    }

    private static Host host(String host, String url) {
        if (host.isEmpty()) {
            throw new IllegalStateException("An empty host in the JDBC URL " + url);
        }
        int portSeparator = host.startsWith("[") ? host.indexOf(':', host.indexOf(']')) : host.lastIndexOf(':');
        String name = portSeparator < 0 ? host : host.substring(0, portSeparator);
        int port = portSeparator < 0 ? DEFAULT_PORT : Integer.parseInt(host.substring(portSeparator + 1));
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        return new Host(name, port);
    }

    /**
     * The JDBC URL's query parameters ({@code sslmode=require}, {@code sslrootcert=...}), decoded, in order: the
     * relay gives them to Debezium's connections as driver properties, so they reach the replication connection as
     * they reach the pool's.
     */
    Map<String, String> urlParameters() {
        Map<String, String> parameters = new LinkedHashMap<>();
        int query = jdbcUrl.indexOf('?');
        if (query < 0) {
            return parameters;
        }
        for (String pair : jdbcUrl.substring(query + 1).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            parameters.put(
                    URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return parameters;
    }

    /**
     * Server-side TCP settings of the leader's sessions (its lock session and its engine's replication session):
     * PostgreSQL notices a peer that vanished without closing its socket (node lost, network partition) within
     * about 20 s (idle: 5 s, then 3 probes 5 s apart; data sent and not acknowledged: 10 s) and ends the session,
     * which releases the leader lock and the slot for a standby. The kernel defaults would take over two hours,
     * and the replication session would wait for {@code wal_sender_timeout} (60 s).
     */
    static final String DEAD_PEER_OPTIONS =
            "-c tcp_keepalives_idle=5 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3 -c tcp_user_timeout=10000";

    /**
     * The server options of the leader's sessions: the JDBC URL's own {@code options}, if any, then {@link
     * #DEAD_PEER_OPTIONS}, so neither replaces the other.
     */
    String options() {
        String own = urlParameters().get("options");
        return own == null || own.isBlank() ? DEAD_PEER_OPTIONS : own.strip() + " " + DEAD_PEER_OPTIONS;
    }

    /**
     * A connection of its own, outside the pool, on which each side notices a dead peer: the server by {@link
     * #options}, this side by TCP keep-alive (and the leader's validity check every tick). The URL's parameters
     * count as they do for the pool; its {@code options} are merged, since the driver lets a URL parameter win
     * over a property.
     *
     * <p>With several hosts it always lands on the primary, whatever the URL's {@code targetServerType} says: the
     * leader lock must die with the primary, so that the leader stops an engine streaming from a server that is
     * gone and starts it again on the new primary. A lock on a standby would also let a second leader in.
     */
    Connection connect(String applicationName) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", username);
        properties.setProperty("password", password);
        properties.setProperty("options", options());
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("ApplicationName", applicationName);
        if (hosts.size() == 1) {
            return DriverManager.getConnection(urlWithout(Set.of("options")), properties);
        }
        properties.setProperty("targetServerType", "primary");
        // pgJDBC remembers which host was a standby for hostRecheckSeconds (10 s) and skips it meanwhile; after a
        // promotion the new primary should be found at the next leader check
        properties.setProperty("hostRecheckSeconds", "1");
        return DriverManager.getConnection(urlWithout(Set.of("options", "targetServerType")), properties);
    }

    /**
     * The host that is the primary now: the only one, without asking, when the URL names one; otherwise the first
     * of the URL's hosts that answers and is not in recovery ({@code pg_is_in_recovery()}), each asked on a
     * connection of its own with short timeouts (a few seconds per host at most).
     *
     * @throws IllegalStateException naming every host and what it answered, when none is the primary
     */
    Host primary() {
        if (hosts.size() == 1) {
            return hosts.getFirst();
        }
        List<String> answers = new ArrayList<>();
        for (Host host : hosts) {
            try (Connection connection = DriverManager.getConnection(jdbcUrl(host), probeProperties());
                    Statement statement = connection.createStatement();
                    ResultSet inRecovery = statement.executeQuery("select pg_is_in_recovery()")) {
                inRecovery.next();
                if (!inRecovery.getBoolean(1)) {
                    return host;
                }
                answers.add(host + " is a standby (in recovery)");
            } catch (SQLException e) {
                answers.add(host + " did not answer (" + e.getMessage() + ")");
            }
        }
        throw new IllegalStateException(
                "No primary among the PostgreSQL hosts of the JDBC URL: " + String.join("; ", answers));
    }

    private Properties probeProperties() {
        Properties properties = new Properties();
        properties.setProperty("user", username);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "2");
        properties.setProperty("loginTimeout", "3");
        properties.setProperty("socketTimeout", "3");
        properties.setProperty("ApplicationName", "outbox-relay-primary-check");
        return properties;
    }

    /**
     * The JDBC URL narrowed to one of its hosts, with its other parameters but without those that choose among
     * hosts ({@link #HOST_CHOICE_PARAMETERS}).
     */
    String jdbcUrl(Host host) {
        String hostFree = urlWithout(HOST_CHOICE_PARAMETERS).substring(PREFIX.length());
        return PREFIX + host + hostFree.substring(hostFree.indexOf('/'));
    }

    /** The JDBC URL without some of its query parameters. */
    private String urlWithout(Set<String> parameters) {
        int query = jdbcUrl.indexOf('?');
        if (query < 0) {
            return jdbcUrl;
        }
        String kept = Arrays.stream(jdbcUrl.substring(query + 1).split("&"))
                .filter(pair -> !pair.isEmpty()
                        && !parameters.contains(URLDecoder.decode(pair.split("=", 2)[0], StandardCharsets.UTF_8)))
                .collect(Collectors.joining("&"));
        return jdbcUrl.substring(0, query) + (kept.isEmpty() ? "" : "?" + kept);
    }
}
