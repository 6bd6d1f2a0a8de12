package dev.shopflow.e2e;

import static dev.shopflow.e2e.FaultClock.awaitUntil;
import static dev.shopflow.e2e.FaultClock.pause;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The faults of the default stack ({@code docker-compose.yml}, one broker, one PostgreSQL), 25 s apart: Kafka killed
 * for 20 s; PostgreSQL restarted; each service killed with SIGKILL and started; order-service's packets to and from
 * PostgreSQL dropped for 40 s; both relays' slots invalidated while Kafka stays down for longer than the outbox
 * retention, so the outbox is re-read after retention had every chance to delete what was not sent.
 */
final class SingleNodeFaults extends Faults {

    private final Duration outboxRetention;

    SingleNodeFaults(Compose compose, Duration outboxRetention) {
        super(compose);
        this.outboxRetention = outboxRetention;
    }

    @Override
    String primary() {
        return "postgres";
    }

    @Override
    void inject() {
        pause(Duration.ofSeconds(15));
        fault("Kafka killed (SIGKILL) for 20 s", () -> {
            compose.run(Duration.ofMinutes(1), "kill", "kafka");
            pause(Duration.ofSeconds(20));
            compose.run(Duration.ofMinutes(2), "start", "kafka");
        });
        pause(PAUSE);
        fault("PostgreSQL restarted", () -> compose.run(Duration.ofMinutes(2), "restart", "postgres"));
        for (String service : List.of("order-service", "stock-service", "mail-service")) {
            pause(PAUSE);
            fault(service + " killed (SIGKILL) and started", () -> {
                compose.run(Duration.ofMinutes(1), "kill", service);
                compose.startAgain(Duration.ofMinutes(1), service);
            });
        }
        pause(PAUSE);
        fault("order-service's packets to and from PostgreSQL dropped for 40 s (relay leader black-holed)", () -> {
            String postgres = address("postgres");
            List<String> rule = List.of("-s", postgres, "-j", "DROP");
            List<String> out = List.of("-d", postgres, "-j", "DROP");
            inNetworkOf("order-service", "iptables", "-I", "INPUT", rule);
            inNetworkOf("order-service", "iptables", "-I", "OUTPUT", out);
            try {
                pause(Duration.ofSeconds(40));
            } finally {
                inNetworkOf("order-service", "iptables", "-D", "INPUT", rule);
                inNetworkOf("order-service", "iptables", "-D", "OUTPUT", out);
            }
        });
        pause(PAUSE);
        // longer than the outbox retention plus one run of it (every minute): retention had its chance to delete
        Duration longOutage = outboxRetention.plus(Duration.ofSeconds(90));
        fault(
                "both replication slots invalidated (max_slot_wal_keep_size 64MB, Kafka down for "
                        + longOutage.toSeconds() + " s, longer than the outbox retention of "
                        + outboxRetention.toSeconds()
                        + " s, WAL written): the outbox re-read",
                () -> invalidateSlots(longOutage));
        pause(Duration.ofSeconds(30));
    }

    private void invalidateSlots(Duration longOutage) {
        long kafkaDown = System.nanoTime();
        superuser("alter system set max_slot_wal_keep_size = '64MB'");
        superuser("select pg_reload_conf()");
        compose.run(Duration.ofMinutes(1), "kill", "kafka");
        try {
            superuser("create table if not exists ballast (id bigint, filler text)");
            awaitUntil("both slots lost", Duration.ofMinutes(4), () -> {
                superuser("insert into ballast select g, repeat(md5(g::text), 30) from generate_series(1, 20000) g");
                superuser("checkpoint");
                return superuser("select count(*) from pg_replication_slots where wal_status = 'lost'")
                        .strip()
                        .equals("2");
            });
            long left = longOutage.toNanos() - (System.nanoTime() - kafkaDown);
            if (left > 0) {
                pause(Duration.ofNanos(left));
            }
        } finally {
            superuser("drop table if exists ballast");
            superuser("alter system reset max_slot_wal_keep_size");
            superuser("select pg_reload_conf()");
            compose.run(Duration.ofMinutes(2), "start", "kafka");
        }
    }

    private String superuser(String sql) {
        return compose.psql("postgres", "postgres", sql);
    }

    /** The service's container address on the compose network. */
    private String address(String service) {
        String id = compose.output(Duration.ofSeconds(30), "ps", "-q", service).strip();
        return docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", id);
    }

    /** Runs a command in the network namespace of a service's container (host root, as on this project's CI). */
    private void inNetworkOf(String service, String command, String action, String chain, List<String> rule) {
        String id = compose.output(Duration.ofSeconds(30), "ps", "-q", service).strip();
        String pid = docker("inspect", "-f", "{{.State.Pid}}", id);
        List<String> args = new ArrayList<>(List.of("nsenter", "-t", pid, "-n", command, action, chain));
        args.addAll(rule);
        run(args);
    }

    /** {@code docker <args>} (Compose's plain docker), its output stripped; fails unless it exits with 0. */
    private String docker(String... args) {
        Compose.Output output = compose.docker(Duration.ofSeconds(30), args);
        if (output.exitCode() != 0) {
            throw new AssertionError(
                    "docker " + String.join(" ", args) + " exited with " + output.exitCode() + ": " + output.stderr());
        }
        return output.stdout().strip();
    }

    private static void run(List<String> command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish within 30 s");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(command + " exited with " + process.exitValue() + ": "
                        + new String(process.getInputStream().readAllBytes()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
