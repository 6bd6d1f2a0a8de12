package dev.shopflow.relay;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;

/** Where the service's PostgreSQL is, in the pieces Debezium wants rather than as a JDBC URL. */
record PostgresCoordinates(String jdbcUrl, String host, int port, String database, String username, String password) {

    static PostgresCoordinates of(JdbcConnectionDetails details) {
        String url = details.getJdbcUrl();
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new IllegalStateException("The outbox relay needs a PostgreSQL JDBC URL, got " + url);
        }
        URI uri = URI.create(url.substring("jdbc:".length()));
        String database = uri.getPath().substring(1);
        return new PostgresCoordinates(
                url,
                uri.getHost(),
                uri.getPort() < 0 ? 5432 : uri.getPort(),
                database,
                details.getUsername(),
                details.getPassword());
    }

    /**
     * The JDBC URL's query parameters ({@code sslmode=require}, {@code sslrootcert=...}), decoded, in order: the
     * relay gives them to Debezium's connections as driver properties, so they reach the replication connection as
     * they reach the pool's.
     */
    Map<String, String> urlParameters() {
        Map<String, String> parameters = new LinkedHashMap<>();
        String query = URI.create(jdbcUrl.substring("jdbc:".length())).getRawQuery();
        if (query == null || query.isEmpty()) {
            return parameters;
        }
        for (String pair : query.split("&")) {
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
     */
    Connection connect(String applicationName) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", username);
        properties.setProperty("password", password);
        properties.setProperty("options", options());
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(urlWithout("options"), properties);
    }

    /** The JDBC URL without one of its query parameters. */
    private String urlWithout(String parameter) {
        int query = jdbcUrl.indexOf('?');
        if (query < 0) {
            return jdbcUrl;
        }
        String kept = Arrays.stream(jdbcUrl.substring(query + 1).split("&"))
                .filter(pair -> !pair.isEmpty()
                        && !URLDecoder.decode(pair.split("=", 2)[0], StandardCharsets.UTF_8)
                                .equals(parameter))
                .collect(Collectors.joining("&"));
        return jdbcUrl.substring(0, query) + (kept.isEmpty() ? "" : "?" + kept);
    }
}
