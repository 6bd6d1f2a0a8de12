package dev.shopflow.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.transaction.TransactionSystemException;

class TransientFailuresTests {

    @ParameterizedTest
    @ValueSource(strings = {"25006", "40001", "40P01", "55P03", "57014", "57P01", "57P03", "08006", "53300", "58030"})
    void errorsThatPassAreTransient(String sqlState) {
        assertThat(TransientFailures.isTransient(translated(sqlState))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"23505", "23503", "22001", "42P01", "42501", "P0001", "57P04"})
    void dataAndProgramErrorsAreNot(String sqlState) {
        assertThat(TransientFailures.isTransient(translated(sqlState))).isFalse();
    }

    @Test
    void aFailedRollbackAfterATransientFailureIsTransient() {
        TransactionSystemException rollback = new TransactionSystemException(
                "Could not roll back JDBC transaction", new SQLException("Connection is closed"));
        rollback.initApplicationException(translated("57P01"));
        assertThat(TransientFailures.isTransient(rollback)).isTrue();

        TransactionSystemException afterDataError = new TransactionSystemException(
                "Could not roll back JDBC transaction", new SQLException("Connection is closed"));
        afterDataError.initApplicationException(new DataIntegrityViolationException("duplicate"));
        assertThat(TransientFailures.isTransient(afterDataError)).isFalse();
    }

    @Test
    void anErrorWithoutStateIsNot() {
        assertThat(TransientFailures.isTransient(new IllegalStateException(new SQLException("no state"))))
                .isFalse();
    }

    private static RuntimeException translated(String sqlState) {
        return new UncategorizedSQLException("insert", "insert into t", new SQLException("failed", sqlState));
    }
}
