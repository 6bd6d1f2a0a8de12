package dev.shopflow.consumer;

/**
 * A failure that will pass by itself (a server down, a timeout). A listener wraps such a failure in this type to
 * have the event retried for as long as it takes instead of going to the dead-letter topic.
 */
public class TransientEventFailure extends RuntimeException {

    public TransientEventFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
