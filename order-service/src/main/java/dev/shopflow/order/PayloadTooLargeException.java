package dev.shopflow.order;

import java.io.IOException;

/** Thrown while reading a request body that exceeds the configured limit; answered with 413. */
class PayloadTooLargeException extends IOException {

    PayloadTooLargeException(long limit) {
        super("Request body exceeds " + limit + " bytes");
    }
}
