package dev.shopflow.outbox;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
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

    /** A connection of its own, outside the pool, that notices a dead peer (TCP keep-alive). */
    Connection connect(String applicationName) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", username);
        properties.setProperty("password", password);
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(jdbcUrl, properties);
    }
}
