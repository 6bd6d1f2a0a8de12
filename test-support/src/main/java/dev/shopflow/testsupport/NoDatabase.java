package dev.shopflow.testsupport;

import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * A {@link DataSource} for {@code ApplicationContextRunner} tests of auto-configurations: it refuses every
 * connection ({@code "no database"}), so whatever the context tries to do with the database shows as a failure,
 * and it is a Mockito mock, so a test can verify that nothing was tried.
 */
public final class NoDatabase {

    private NoDatabase() {}

    public static DataSource dataSource() {
        DataSource dataSource = mock(DataSource.class);
        try {
            given(dataSource.getConnection()).willThrow(new SQLException("no database"));
        } catch (SQLException impossible) {
            throw new AssertionError(impossible);
        }
        return dataSource;
    }
}
