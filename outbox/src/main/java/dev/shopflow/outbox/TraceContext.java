package dev.shopflow.outbox;

import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The W3C trace context an event is written under: the {@code traceparent} of the HTTP request being served, when
 * it has a well-formed one. The relay puts it on the Kafka record, so a consumer can continue the trace.
 */
final class TraceContext {

    static final String HEADER = "traceparent";
    private static final Pattern TRACEPARENT = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    private static final boolean WEB = isPresent("org.springframework.web.context.request.RequestContextHolder")
            && isPresent("jakarta.servlet.http.HttpServletRequest");

    private TraceContext() {}

    static Optional<String> current() {
        if (!WEB || !(RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes request)) {
            return Optional.empty();
        }
        return Optional.ofNullable(request.getRequest().getHeader(HEADER))
                .filter(value -> TRACEPARENT.matcher(value).matches())
                .filter(value -> !value.startsWith("ff") && !value.contains("-00000000000000000000000000000000-"));
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, TraceContext.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
