/**
 * Keeps bookkeeping tables from growing for ever: {@link dev.shopflow.retention.TableRetention} deletes rows
 * older than a table's retention, in batches ({@link dev.shopflow.retention.BatchedDelete}), every hour.
 */
@NullMarked
package dev.shopflow.retention;

import org.jspecify.annotations.NullMarked;
