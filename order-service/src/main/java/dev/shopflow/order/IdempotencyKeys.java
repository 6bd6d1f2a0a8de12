package dev.shopflow.order;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Idempotency-Key claims. A key is claimed inside the transaction that creates its order, so a key and its
 * order commit together. Two concurrent requests with one key serialize on the key's primary key: the second
 * waits for the first to commit and then finds its claim.
 */
@Repository
class IdempotencyKeys {

    static final String HEADER = "Idempotency-Key";
    private static final Pattern VALID = Pattern.compile("[\\x21-\\x7E]{1,255}");

    private final JdbcClient jdbc;

    IdempotencyKeys(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Checks the header's form: 1 to 255 visible ASCII characters. */
    static @Nullable String validated(@Nullable String key) {
        if (key != null && !VALID.matcher(key).matches()) {
            throw new InvalidRequestException(
                    List.of(new FieldProblem(HEADER, "must be 1 to 255 visible ASCII characters, without spaces")));
        }
        return key;
    }

    /**
     * Claims {@code key} for a new order, or returns the claim made before.
     *
     * @return empty if this call claimed the key; otherwise the earlier claim
     */
    @Transactional(propagation = Propagation.MANDATORY)
    Optional<Claim> claim(String key, String requestHash, UUID orderId, Instant now) {
        int inserted = jdbc.sql("""
                        insert into idempotency_keys (key, request_hash, order_id, created_at)
                        values (:key, :hash, :orderId, :now)
                        on conflict (key) do nothing
                        """)
                .param("key", key)
                .param("hash", requestHash)
                .param("orderId", orderId)
                .param("now", Timestamp.from(now))
                .update();
        if (inserted == 1) {
            return Optional.empty();
        }
        return Optional.of(jdbc.sql("select request_hash, order_id from idempotency_keys where key = :key")
                .param("key", key)
                .query((rs, row) -> new Claim(rs.getString("request_hash"), rs.getObject("order_id", UUID.class)))
                .single());
    }

    record Claim(String requestHash, UUID orderId) {}
}
