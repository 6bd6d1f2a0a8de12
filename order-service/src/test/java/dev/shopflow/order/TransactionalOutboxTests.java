package dev.shopflow.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shopflow.events.OrderLine;
import dev.shopflow.events.OrderPlaced;
import dev.shopflow.outbox.OutboxWriter;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.IllegalTransactionStateException;

/**
 * The order and its event commit together or not at all. Failures are injected in the real database with
 * triggers, so the service runs unchanged.
 */
class TransactionalOutboxTests extends IntegrationTest {

    @Autowired
    OutboxWriter outbox;

    @AfterEach
    void dropFaults() {
        jdbc.sql("drop trigger if exists fail_outbox on outbox").update();
        jdbc.sql("drop trigger if exists fail_orders_at_commit on orders").update();
        jdbc.sql("drop function if exists fail()").update();
    }

    @Test
    void whenTheOutboxWriteFailsNoOrderIsCommitted() {
        injectFault("create trigger fail_outbox before insert on outbox for each row execute function fail()");

        HttpApi.Response response = api.postOrder(VALID_ORDER, "Idempotency-Key", "fails-once");

        assertThat(response.status()).isEqualTo(500);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(count("orders")).isZero();
        assertThat(count("order_lines")).isZero();
        assertThat(count("idempotency_keys")).isZero();
    }

    @Test
    void whenTheOrderFailsAtCommitNoEventIsCommitted() {
        // A deferred constraint trigger fires at commit, after the outbox row was inserted.
        injectFault("create constraint trigger fail_orders_at_commit after insert on orders"
                + " deferrable initially deferred for each row execute function fail()");

        HttpApi.Response response = api.postOrder(VALID_ORDER);

        assertThat(response.status()).isEqualTo(500);
        assertThat(count("outbox")).isZero();
        assertThat(count("orders")).isZero();
    }

    @Test
    void aRetryAfterAFailureSucceedsOnce() {
        injectFault("create trigger fail_outbox before insert on outbox for each row execute function fail()");
        api.postOrder(VALID_ORDER, "Idempotency-Key", "retry-after-failure");
        dropFaults();

        HttpApi.Response retry = api.postOrder(VALID_ORDER, "Idempotency-Key", "retry-after-failure");

        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.header("Idempotent-Replayed")).isEqualTo("false");
        assertThat(count("orders")).isOne();
        assertThat(count("outbox")).isOne();
    }

    @Test
    void theOutboxRefusesToWriteOutsideATransaction() {
        OrderPlaced event = new OrderPlaced(
                UUID.randomUUID(),
                UUID.randomUUID(),
                Instant.now(),
                "c-1",
                "ada@example.com",
                List.of(new OrderLine("SKU-1", 1, BigDecimal.ONE)),
                BigDecimal.ONE);

        assertThatThrownBy(() -> outbox.append(event)).isInstanceOf(IllegalTransactionStateException.class);
        assertThat(count("outbox")).isZero();
    }

    private void injectFault(String trigger) {
        jdbc.sql("create or replace function fail() returns trigger language plpgsql as"
                        + " $$ begin raise exception 'injected fault'; end $$")
                .update();
        jdbc.sql(trigger).update();
    }
}
