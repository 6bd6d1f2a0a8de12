package dev.shopflow.consumer;

import java.sql.SQLException;
import java.util.Set;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Tells a failure that will pass by itself (retry it, however long it takes) from one that will not. Used by the
 * consumers' error handler, and by an API to answer 503 instead of 500.
 */
public final class TransientFailures {

    private static final Set<Class<? extends Exception>> TYPES = Set.of(
            TransientEventFailure.class,
            TransientDataAccessException.class,
            DataAccessResourceFailureException.class,
            CannotCreateTransactionException.class);

    /**
     * PostgreSQL SQLSTATEs, and classes of them, that say "not now" rather than "not this": the connection
     * (class 08), resources (53: disk full, out of memory, too many connections), operator intervention (57P01-03,
     * 57P05: shutdown, crash, not accepting connections yet, idle session timeout; 57014: statement cancelled or
     * timed out; not 57P04, a dropped database), system errors
     * (58: I/O), serialization failure and deadlock (40001, 40P01), lock not available (55P03), idle transaction
     * timed out (25P03), and a read-only transaction (25006: a standby, or a primary just demoted by a switchover).
     */
    private static final Set<String> SQL_STATE_CLASSES = Set.of("08", "53", "58");

    private static final Set<String> SQL_STATES =
            Set.of("57P01", "57P02", "57P03", "57P05", "57014", "40001", "40P01", "55P03", "25P03", "25006");

    private TransientFailures() {}

    /** True when this failure or any of its causes is transient. */
    public static boolean isTransient(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            for (Class<? extends Exception> type : TYPES) {
                if (type.isInstance(cause)) {
                    return true;
                }
            }
            if (cause instanceof SQLException sql && isTransient(sql.getSQLState())) {
                return true;
            }
            // the connection pool closes a connection the server broke, so the rollback after the failure fails
            // too and replaces it; the original failure tells what happened
            if (cause instanceof TransactionSystemException rollback
                    && rollback.getApplicationException() != null
                    && isTransient(rollback.getApplicationException())) {
                return true;
            }
        }
        return false;
    }

    static boolean isTransient(String sqlState) {
        if (sqlState == null || sqlState.length() != 5) {
            return false;
        }
        return SQL_STATES.contains(sqlState) || SQL_STATE_CLASSES.contains(sqlState.substring(0, 2));
    }
}
