package dev.shopflow.order;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** The body of {@code POST /orders}. Bean Validation checks each field; {@link #crossFieldErrors} the rest. */
record PlaceOrderRequest(
        @NotBlank
        @Size(max = 64)
        @Pattern(regexp = PRINTABLE, message = "must not contain control characters or unpaired surrogates")
        String customerId,

        @NotBlank
        @Size(max = 254)
        @Email(regexp = "[^@\\s]+@[^@\\s]+\\.[^@\\s]+", message = "must be a well-formed email address")
        String customerEmail,

        @NotNull @Size(min = 1, max = 50) List<@NotNull @Valid LineRequest> lines) {

    static final int MAX_QUANTITY = 1000;

    /**
     * No control characters (NUL, which PostgreSQL refuses in text; newlines, which forge log lines and mail
     * headers) and no half of a surrogate pair (not encodable as UTF-8).
     */
    static final String PRINTABLE = "[^\\p{Cc}\\p{Cs}]*";

    record LineRequest(
            @NotBlank
            @Size(max = 64)
            @Pattern(regexp = "[A-Za-z0-9._-]*", message = "may contain only letters, digits, '.', '_' and '-'")
            String productId,

            @NotNull @Min(1) @Max(MAX_QUANTITY) Integer quantity,

            @NotNull @DecimalMin("0.00") @DecimalMax("1000000.00") @Digits(integer = 7, fraction = 2)
            BigDecimal unitPrice) {}

    /** Errors no single field shows: a product may appear on one line only. */
    List<FieldProblem> crossFieldErrors() {
        List<FieldProblem> errors = new ArrayList<>();
        Map<String, Integer> firstLine = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Integer first = firstLine.putIfAbsent(lines.get(i).productId(), i);
            if (first != null) {
                errors.add(new FieldProblem(
                        "lines[" + i + "].productId",
                        "duplicates lines[" + first + "]; put the total quantity on one line"));
            }
        }
        return errors;
    }

    List<Order.Line> toLines() {
        return lines.stream()
                .map(line -> new Order.Line(line.productId(), line.quantity(), line.unitPrice()))
                .toList();
    }

    /**
     * A digest of what the request asks for, to tell a retry from a different request under the same
     * Idempotency-Key. Formatting does not count: {@code 5.0} and {@code 5.00} are the same price.
     */
    String fingerprint() {
        StringBuilder canonical = new StringBuilder();
        append(canonical, customerId);
        append(canonical, customerEmail);
        for (LineRequest line : lines) {
            append(canonical, line.productId());
            append(canonical, line.quantity().toString());
            append(canonical, line.unitPrice().stripTrailingZeros().toPlainString());
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static void append(StringBuilder canonical, String value) {
        canonical.append(value.length()).append(':').append(value).append(';');
    }
}
