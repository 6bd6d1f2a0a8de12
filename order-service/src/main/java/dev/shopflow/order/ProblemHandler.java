package dev.shopflow.order;

import dev.shopflow.consumer.TransientFailures;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Turns every failure into an RFC 9457 {@code application/problem+json} answer. Client mistakes are 4xx and
 * name the offending fields in {@code errors}; only our own faults are 500, and those are logged.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    /**
     * A failure can come while the transaction commits (the connection lost at that moment): then the order may
     * have been saved, and only a retry with the same key tells without placing it twice.
     */
    private static final String RETRY_WITH_THE_SAME_KEY = "It may or may not have been saved: retry it with the same"
            + " Idempotency-Key, which answers with the saved order if there is one and never places it twice";

    private static final String UNCONFIRMED =
            "The database cannot take or confirm the request now. " + RETRY_WITH_THE_SAME_KEY + "; retry shortly";

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);
    /** Where every problem type of this service lives; {@link AdmissionFilter}'s refusal uses it too. */
    static final String TYPES = "https://shopflow.dev/problems/";

    private final RetryAfter retryAfter;

    ProblemHandler(OrderServiceProperties properties) {
        this.retryAfter = properties.admission().retryAfter();
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldProblem> errors = ex.getBindingResult().getFieldErrors().stream()
                .map(error -> new FieldProblem(error.getField(), String.valueOf(error.getDefaultMessage())))
                .sorted(Comparator.comparing(FieldProblem::field).thenComparing(FieldProblem::message))
                .toList();
        return ResponseEntity.badRequest().body(invalid(errors));
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (causeOfType(ex, PayloadTooLargeException.class) instanceof PayloadTooLargeException tooLarge) {
            ProblemDetail problem =
                    problem(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Request body too large");
            problem.setDetail(tooLarge.getMessage());
            return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).body(problem);
        }
        Throwable root = ex.getMostSpecificCause();
        if (root instanceof StreamReadException syntax && duplicatedField(syntax) instanceof String field) {
            return ResponseEntity.badRequest()
                    .body(invalid(List.of(new FieldProblem(field, "appears more than once; send each field once"))));
        }
        if (root instanceof StreamReadException syntax && !(root instanceof InputCoercionException)) {
            ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "malformed-request", "Malformed request body");
            problem.setDetail("The body is not valid JSON: " + syntax.getOriginalMessage());
            return ResponseEntity.badRequest().body(problem);
        }
        if (causeOfType(ex, JacksonException.class) instanceof JacksonException jackson
                && !path(jackson).isEmpty()) {
            String message = switch (jackson) {
                case UnrecognizedPropertyException unknown -> "is not a known field";
                case MismatchedInputException mismatch -> "must be " + describe(mismatch.getTargetType());
                default ->
                    "has an invalid value: "
                            + (root instanceof JacksonException r ? r.getOriginalMessage() : root.getMessage());
            };
            return ResponseEntity.badRequest().body(invalid(List.of(new FieldProblem(path(jackson), message))));
        }
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "malformed-request", "Malformed request body");
        problem.setDetail("The body is missing or is not a JSON object of the expected shape");
        return ResponseEntity.badRequest().body(problem);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> invalidRequest(InvalidRequestException ex) {
        return ResponseEntity.badRequest().body(invalid(ex.errors()));
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> idempotencyKeyReused(IdempotencyKeyReusedException ex) {
        ProblemDetail problem = problem(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "idempotency-key-reused",
                "Idempotency-Key reused for another request");
        problem.setDetail(ex.getMessage() + "; use a new key for a new order");
        return ResponseEntity.unprocessableContent().body(problem);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> notFound(OrderNotFoundException ex) {
        ProblemDetail problem = problem(HttpStatus.NOT_FOUND, "order-not-found", "Order not found");
        problem.setDetail(ex.getMessage());
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(problem);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> unexpected(Exception ex) {
        if (TransientFailures.isTransient(ex)) {
            // the database is unreachable, read-only (a switchover), overloaded or out of connections: say so
            // in one line, not with a stack trace per request while it lasts
            log.warn(
                    "Request failed, answered 503: {}",
                    NestedExceptionUtils.getMostSpecificCause(ex).toString());
            ProblemDetail problem =
                    problem(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "Service temporarily unavailable");
            problem.setDetail(UNCONFIRMED);
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .header(HttpHeaders.RETRY_AFTER, retryAfter.next())
                    .body(problem);
        }
        log.error("Request failed", ex);
        ProblemDetail problem = problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error");
        problem.setDetail("The request failed on our side. " + RETRY_WITH_THE_SAME_KEY);
        return ResponseEntity.internalServerError().body(problem);
    }

    private static ProblemDetail invalid(List<FieldProblem> errors) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request");
        problem.setDetail(
                errors.size() == 1
                        ? "1 field is invalid: " + errors.getFirst().field()
                        : errors.size() + " fields are invalid");
        problem.setProperty("errors", errors);
        return problem;
    }

    private static ProblemDetail problem(HttpStatus status, String type, String title) {
        ProblemDetail problem = ProblemDetail.forStatus(status);
        problem.setType(URI.create(TYPES + type));
        problem.setTitle(title);
        return problem;
    }

    private static @Nullable Throwable causeOfType(Throwable ex, Class<? extends Throwable> type) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return cause;
            }
        }
        return null;
    }

    /**
     * The path of the property a strict parser ({@code spring.jackson.read.strict-duplicate-detection}) found
     * twice, or null for any other syntax error. The parser names the duplicate only in its message, and its
     * context still points at it.
     */
    private static @Nullable String duplicatedField(StreamReadException ex) {
        JsonParser parser = ex.processor();
        if (parser == null
                || ex.getOriginalMessage() == null
                || !ex.getOriginalMessage().startsWith("Duplicate Object property")) {
            return null;
        }
        List<String> segments = new ArrayList<>();
        for (TokenStreamContext context = parser.streamReadContext();
                context != null && !context.inRoot();
                context = context.getParent()) {
            segments.addFirst(context.inArray() ? "[" + context.getCurrentIndex() + "]" : "." + context.currentName());
        }
        String path = String.join("", segments);
        return path.startsWith(".") ? path.substring(1) : path;
    }

    /** The JSON path of the failing value, written the way validation names fields: {@code lines[0].quantity}. */
    private static String path(JacksonException ex) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : ex.getPath()) {
            if (reference.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String describe(@Nullable Class<?> type) {
        if (type == null) {
            return "of a different type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "an object";
    }
}
