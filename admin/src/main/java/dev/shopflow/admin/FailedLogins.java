package dev.shopflow.admin;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Limits failed admin logins per client address: after {@code shopflow.admin.failed-logins-per-minute} failures
 * (answers 401 to a request that carried credentials) in the current minute, that address's admin calls are
 * answered 429 with {@code Retry-After} until the minute is over, before the password is checked, so guessing
 * costs neither the service's CPU (a bcrypt hash per try) nor anything else. One WARN line when an address is
 * stopped. Counts are kept for the current minute only, and for at most {@value #ADDRESSES} addresses.
 */
final class FailedLogins extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(FailedLogins.class);
    private static final int ADDRESSES = 10_000;

    private final int perMinute;
    private final Clock clock;
    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    private volatile long minute;

    FailedLogins(int perMinute, Clock clock) {
        this.perMinute = perMinute;
        this.clock = clock;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long now = clock.millis();
        if (now / 60_000 != minute) {
            minute = now / 60_000;
            failures.clear();
        }
        String client = request.getRemoteAddr();
        AtomicInteger failed = failures.get(client);
        if (failed != null && failed.get() >= perMinute) {
            response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(60 - (now / 1000) % 60));
            response.sendError(429, "Too many failed logins; retry after the time in Retry-After");
            return;
        }
        boolean withCredentials = request.getHeader(HttpHeaders.AUTHORIZATION) != null;
        chain.doFilter(request, response);
        if (withCredentials
                && response.getStatus() == HttpServletResponse.SC_UNAUTHORIZED
                && (failures.size() < ADDRESSES || failures.containsKey(client))) {
            int count =
                    failures.computeIfAbsent(client, c -> new AtomicInteger()).incrementAndGet();
            if (count == perMinute) {
                log.warn(
                        "{} failed admin logins from {} this minute; refusing its admin calls until it ends",
                        count,
                        client);
            }
        }
    }
}
