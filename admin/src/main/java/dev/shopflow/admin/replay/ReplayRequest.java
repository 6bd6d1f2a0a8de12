package dev.shopflow.admin.replay;

import org.jspecify.annotations.Nullable;

/**
 * A request to replay one of this service's topics for its own group.
 *
 * @param topic a topic this service consumes
 * @param from {@code earliest}, a date-time with offset, or a duration ago ({@code PT2H}, {@code P30D})
 * @param execute false (the default): a dry run that changes nothing
 * @param reprocess redo the effects of already-processed events too, where the service allows it
 */
record ReplayRequest(
        @Nullable String topic,
        @Nullable String from,
        @Nullable Boolean execute,
        @Nullable Boolean reprocess) {

    boolean executing() {
        return Boolean.TRUE.equals(execute);
    }

    boolean reprocessing() {
        return Boolean.TRUE.equals(reprocess);
    }
}
