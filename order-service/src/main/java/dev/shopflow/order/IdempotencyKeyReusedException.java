package dev.shopflow.order;

/** The Idempotency-Key was used before with a different request body; answered with 422. */
class IdempotencyKeyReusedException extends RuntimeException {

    IdempotencyKeyReusedException(String key) {
        super("Idempotency-Key '" + key + "' was already used for a different request");
    }
}
