package dev.shopflow.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.test.context.TestPropertySource;

/**
 * Past what it can serve, the API refuses at once instead of admitting everything and answering nothing in time:
 * with a small connection pool and every order insert held up, the requests over the limit are answered 503
 * while the admitted ones are still waiting, and the admitted ones then succeed.
 */
@TestPropertySource(
        properties = {
            "spring.datasource.hikari.maximum-pool-size=" + AdmissionTests.LIMIT,
            // the admitted requests wait for the held inserts, not for a connection: no 503 from the pool here
            "spring.datasource.hikari.connection-timeout=60000",
            "shopflow.orders.admission.max-concurrent=" + AdmissionTests.LIMIT
        })
class AdmissionTests extends IntegrationTest {

    static final int LIMIT = 4;
    private static final int REQUESTS = 16;
    private static final long HOLD = 4242;

    /** Holds an advisory lock that every order insert waits for, on a connection of its own (not the pool's). */
    private Connection holder;

    @BeforeEach
    void holdEveryOrderInsert(@Autowired JdbcConnectionDetails database) throws SQLException {
        jdbc.sql("""
                        create or replace function hold_order() returns trigger language plpgsql as $$
                        begin
                          perform pg_advisory_xact_lock_shared(%d);
                          return new;
                        end $$""".formatted(HOLD)).update();
        jdbc.sql("create trigger hold_order before insert on orders for each row execute function hold_order()")
                .update();
        holder = DriverManager.getConnection(database.getJdbcUrl(), database.getUsername(), database.getPassword());
        holder.createStatement().execute("select pg_advisory_lock(" + HOLD + ")");
    }

    @AfterEach
    void release() throws SQLException {
        holder.close();
        jdbc.sql("drop trigger if exists hold_order on orders").update();
        jdbc.sql("drop function if exists hold_order()").update();
    }

    @Test
    void refusesWhatIsOverTheLimitAtOnceAndServesWhatItAdmitted() throws Exception {
        List<Future<HttpApi.Response>> answers = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < REQUESTS; i++) {
                answers.add(clients.submit(() -> api.postOrder(
                        VALID_ORDER, "Idempotency-Key", UUID.randomUUID().toString())));
            }

            // every request over the limit is answered while the admitted ones are still held in the database
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> answers.stream().filter(Future::isDone).count() == REQUESTS - LIMIT);
            List<HttpApi.Response> refusals = answers.stream()
                    .filter(Future::isDone)
                    .map(Future::resultNow)
                    .toList();
            assertThat(refusals).allSatisfy(refused -> {
                assertThat(refused.status()).as(refused.raw().body()).isEqualTo(503);
                assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
                assertThat(refused.json().get("type").asString()).endsWith("/overloaded");
                assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 4);
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> heldInserts() == LIMIT);
            assertThat(answers.stream().filter(answer -> !answer.isDone())).hasSize(LIMIT);

            holder.close();

            await().atMost(Duration.ofSeconds(30)).until(() -> answers.stream().allMatch(Future::isDone));
        }
        assertThat(answers.stream().map(Future::resultNow).filter(answer -> answer.status() == 201))
                .hasSize(LIMIT);
        assertThat(count("orders")).isEqualTo(LIMIT);
        assertThat(count("outbox")).isEqualTo(LIMIT);
        assertThat(refusedCount()).isEqualTo(REQUESTS - LIMIT);
        assertThat(api.postOrder(VALID_ORDER).status())
                .as("admits again once the load is gone")
                .isEqualTo(201);
    }

    /**
     * Transactions of the service waiting for the held lock: the admitted requests, in the database. Asked on the
     * holder's connection: the pool's are all taken by them.
     */
    private long heldInserts() throws SQLException {
        try (var waiting = holder.createStatement()
                .executeQuery("select count(*) from pg_locks where locktype = 'advisory' and objid = " + HOLD
                        + " and not granted")) {
            waiting.next();
            return waiting.getLong(1);
        }
    }

    private double refusedCount() {
        return actuator.get("/actuator/metrics/" + AdmissionFilter.REFUSED_METRIC)
                .json()
                .get("measurements")
                .get(0)
                .get("value")
                .asDouble();
    }
}
