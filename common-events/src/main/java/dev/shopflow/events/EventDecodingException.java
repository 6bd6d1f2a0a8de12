package dev.shopflow.events;

/**
 * An event that can never be decoded by this build: unknown type, unsupported schema version or malformed
 * payload. Retrying does not help; consumers send such records to their dead-letter topic.
 */
public final class EventDecodingException extends RuntimeException {

    public EventDecodingException(String message) {
        super(message);
    }

    EventDecodingException(String message, Throwable cause) {
        super(message, cause);
    }
}
