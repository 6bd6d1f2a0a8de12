package dev.shopflow.consumer;

/**
 * An event that this consumer can never handle, though it decodes (for example an outcome for an order that does
 * not exist). It goes to the dead-letter topic at once instead of being retried.
 */
public class PermanentEventFailure extends RuntimeException {

    public PermanentEventFailure(String message) {
        super(message);
    }

    public PermanentEventFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
