package dev.shopflow.order;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.util.ConcurrencyThrottleSupport;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Admission control for the API: at most {@code shopflow.orders.admission.max-concurrent} requests in progress,
 * and every request past that answered {@code 503} at once. Registered ahead of every other filter (security,
 * observation, body limits), so a refusal costs no JSON parsing, no span and no wait for a database connection:
 * under three times the load it can serve, the service keeps serving what it can instead of admitting everything
 * and timing out on all of it.
 *
 * <p>The limit is Spring's {@link ConcurrencyThrottleSupport} (what {@code @ConcurrencyLimit} is built on) with
 * its reject policy: {@code @ConcurrencyLimit} itself sits on a method, after the request has been parsed.
 */
final class AdmissionFilter extends OncePerRequestFilter {

    static final String REFUSED_METRIC = "shopflow.orders.admission.refused";

    /** Written as bytes, not through Jackson: a refusal should cost next to nothing. */
    private static final byte[] REFUSAL = """
            {"type":"%soverloaded","title":"Service overloaded","status":503,\
            "detail":"Too many requests in progress; nothing was read or saved. Retry after the seconds in \
            Retry-After, with the same Idempotency-Key"}""".formatted(ProblemHandler.TYPES).getBytes(StandardCharsets.UTF_8);

    private final Throttle throttle;
    private final RetryAfter retryAfter;
    private final Counter refused;

    AdmissionFilter(OrderServiceProperties.Admission admission, MeterRegistry meters) {
        this.throttle = new Throttle(admission.maxConcurrent());
        this.retryAfter = admission.retryAfter();
        this.refused = Counter.builder(REFUSED_METRIC)
                .description("API requests answered 503 at once because max-concurrent were in progress")
                .register(meters);
        Gauge.builder("shopflow.orders.admission.in.progress", throttle.inProgress, AtomicInteger::get)
                .description("API requests admitted and not yet answered")
                .register(meters);
        Gauge.builder("shopflow.orders.admission.limit", throttle, Throttle::getConcurrencyLimit)
                .description("API requests admitted at once, at most")
                .register(meters);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!throttle.tryEnter()) {
            refused.increment();
            refuse(response);
            return;
        }
        try {
            chain.doFilter(request, response);
        } finally {
            throttle.leave();
        }
    }

    private void refuse(HttpServletResponse response) throws IOException {
        response.setStatus(HttpStatus.SERVICE_UNAVAILABLE.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setHeader(HttpHeaders.RETRY_AFTER, retryAfter.next());
        response.setContentLength(REFUSAL.length);
        response.getOutputStream().write(REFUSAL);
    }

    /** The framework's throttle, told to refuse instead of waiting when the limit is reached. */
    private static final class Throttle extends ConcurrencyThrottleSupport {

        private final AtomicInteger inProgress = new AtomicInteger();

        Throttle(int limit) {
            if (limit < 1) {
                throw new IllegalArgumentException(
                        "shopflow.orders.admission.max-concurrent must be at least 1, was " + limit);
            }
            setConcurrencyLimit(limit);
        }

        boolean tryEnter() {
            try {
                beforeAccess();
            } catch (Refused refused) {
                return false;
            }
            inProgress.incrementAndGet();
            return true;
        }

        void leave() {
            inProgress.decrementAndGet();
            afterAccess();
        }

        @Override
        protected void onLimitReached() {
            throw new Refused();
        }
    }

    /** Thrown inside the throttle's lock only, to leave it without waiting; never escapes this class. */
    private static final class Refused extends RuntimeException {
        Refused() {
            super(null, null, false, false);
        }
    }
}
