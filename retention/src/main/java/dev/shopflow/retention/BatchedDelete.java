package dev.shopflow.retention;

import java.util.Map;
import java.util.function.IntConsumer;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Deletes the rows of a table that match a condition, {@value #BATCH} at a time (each its own short statement, so
 * no long lock and no huge transaction), until none is left. What the retention jobs share.
 */
public final class BatchedDelete {

    public static final int BATCH = 5_000;

    private BatchedDelete() {}

    /**
     * @param table and {@code condition} are code, never input
     * @param eachBatch told how many rows each statement deleted, as it goes
     * @return the rows deleted
     */
    public static int run(
            JdbcClient jdbc, String table, String condition, Map<String, ?> params, IntConsumer eachBatch) {
        int total = 0;
        int deleted;
        do {
            deleted = jdbc.sql("delete from " + table + " where ctid in (select ctid from " + table + " where "
                            + condition + " limit " + BATCH + ")")
                    .params(params)
                    .update();
            total += deleted;
            eachBatch.accept(deleted);
        } while (deleted == BATCH);
        return total;
    }
}
