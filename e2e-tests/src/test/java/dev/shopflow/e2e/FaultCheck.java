package dev.shopflow.e2e;

import static dev.shopflow.e2e.FaultClock.awaitQuietly;
import static dev.shopflow.e2e.FaultClock.log;

import dev.shopflow.e2e.FaultTraffic.Placed;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * What a customer and the shop would check after a fault run: every accepted order decided, both mails of each
 * received (a mail sent again for the same event, same Message-ID, is the documented SMTP window and counted; a mail
 * for a second event of the same kind is invented), stock exact, nothing dead-lettered or parked, every group caught
 * up. Prints the figures and says whether nothing was lost, stuck or invented.
 */
final class FaultCheck {

    private static final String RECEIVED = "We received your order";
    private static final String CONFIRMED = "Your order is confirmed";
    private static final String NOT_FULFILLED = "Your order could not be fulfilled";
    private static final Duration SETTLE = Duration.ofMinutes(6);
    private static final List<String> DEAD_LETTER_TOPICS =
            List.of("orders.stock-service.dlt", "orders.mail-service.dlt", "stock.order-service.dlt");

    private final Compose compose;
    private final Shop shop;
    private final FaultTraffic traffic;
    private final Faults faults;

    FaultCheck(Compose compose, Shop shop, FaultTraffic traffic, Faults faults) {
        this.compose = compose;
        this.shop = shop;
        this.traffic = traffic;
        this.faults = faults;
    }

    Map<String, Integer> stockLevels() {
        Map<String, Integer> levels = new TreeMap<>();
        OrderTraffic.products().forEach(product -> levels.put(product, shop.available(product)));
        return levels;
    }

    boolean check(String title, Map<String, Integer> stockBefore) {
        Map<String, Placed> accepted = traffic.accepted();
        Map<String, String> statuses = new TreeMap<>();
        boolean decided = awaitQuietly("every accepted order decided", SETTLE, () -> {
            accepted.values().forEach(order -> statuses.put(order.id(), shop.orderStatus(order.id())));
            return statuses.values().stream().noneMatch("PENDING"::equals);
        });
        Map<String, Long> byStatus = new TreeMap<>();
        statuses.values().forEach(status -> byStatus.merge(status, 1L, Long::sum));

        Map<Placed, List<JsonNode>> mails = new LinkedHashMap<>();
        boolean mailed = awaitQuietly("both mails of every order received", SETTLE, () -> {
            accepted.values().forEach(order -> mails.put(order, shop.mails(order.email())));
            return mails.values().stream().allMatch(received -> received.size() >= 2);
        });
        long wrongMails = 0;
        long sameEventAgain = 0;
        long otherEvent = 0;
        Map<Long, Long> duplicatesByMinute = new TreeMap<>();
        for (Map.Entry<Placed, List<JsonNode>> entry : mails.entrySet()) {
            Placed order = entry.getKey();
            String outcome = "CONFIRMED".equals(statuses.get(order.id())) ? CONFIRMED : NOT_FULFILLED;
            List<String> expected = List.of(RECEIVED + " (" + order.id() + ")", outcome + " (" + order.id() + ")");
            List<String> got = entry.getValue().stream()
                    .map(mail -> mail.path("subject").asString())
                    .toList();
            if (!got.containsAll(expected) || got.stream().anyMatch(subject -> !expected.contains(subject))) {
                wrongMails++;
                log("order %s: mails %s, expected %s".formatted(order.id(), got, expected));
            }
            Map<String, List<String>> messageIds = new LinkedHashMap<>();
            for (JsonNode mail : entry.getValue()) {
                String mime = mail.path("mimeMessage").asString();
                messageIds
                        .computeIfAbsent(mail.path("subject").asString(), subject -> new ArrayList<>())
                        .add(header(mime, "Message-ID"));
                if (got.stream().filter(mail.path("subject").asString()::equals).count() > 1) {
                    duplicatesByMinute.merge(secondsSinceStart(header(mime, "Date")) / 10 * 10, 1L, Long::sum);
                }
            }
            for (List<String> ids : messageIds.values()) {
                long distinct = ids.stream().distinct().count();
                sameEventAgain += ids.size() - distinct;
                otherEvent += distinct - 1;
            }
        }

        Map<String, Integer> stockAfter = stockLevels();
        List<String> stockProblems = new ArrayList<>();
        for (String product : OrderTraffic.products()) {
            long ordered = accepted.values().stream()
                    .filter(order -> order.product().equals(product))
                    .count();
            long confirmed = accepted.values().stream()
                    .filter(order -> order.product().equals(product) && "CONFIRMED".equals(statuses.get(order.id())))
                    .count();
            long expectedConfirmed = Math.min(ordered, stockBefore.get(product));
            if (confirmed != expectedConfirmed || stockAfter.get(product) != stockBefore.get(product) - confirmed) {
                stockProblems.add("%s: %d ordered, %d confirmed (expected %d), stock %d -> %d"
                        .formatted(
                                product,
                                ordered,
                                confirmed,
                                expectedConfirmed,
                                stockBefore.get(product),
                                stockAfter.get(product)));
            }
        }

        long lagTotal = lag();
        long deadLetters = deadLetters();
        String parked = psql("orders", "select count(*) from outbox_parked") + " / "
                + psql("stock", "select count(*) from outbox_parked");
        String slots = psql(
                "orders",
                "select string_agg(slot_name || ' ' || coalesce(wal_status, '?') || ' active=' || active, ', ')"
                        + " from pg_replication_slots");

        StringBuilder report = new StringBuilder("\n").append(title).append("\n\nFaults (seconds since start):\n");
        faults.timeline().forEach(line -> report.append("  ").append(line).append('\n'));
        report.append("\n");
        row(report, "orders accepted", accepted.size());
        row(report, "all decided / all mailed within " + SETTLE.toMinutes() + " min", decided + " / " + mailed);
        row(report, "attempts that failed and were retried", traffic.failedAttempts());
        row(report, "orders a client gave up on (4 min of retries)", traffic.gaveUp());
        row(report, "orders by status", byStatus);
        row(report, "orders left PENDING", byStatus.getOrDefault("PENDING", 0L));
        row(report, "orders whose mails are wrong or missing", wrongMails);
        row(report, "mails sent again for the same event (same Message-ID)", sameEventAgain);
        row(report, "mails for a second event of the same kind", otherEvent);
        row(report, "copies of duplicated mails, by 10 s since start", duplicatesByMinute);
        row(report, "stock", stockProblems.isEmpty() ? "exact: " + stockAfter : String.join("; ", stockProblems));
        row(report, "records on the dead-letter topics", deadLetters);
        row(report, "events parked (orders / stock)", parked);
        row(report, "consumer lag, all groups", lagTotal);
        row(report, "replication slots", slots);
        faults.observed().forEach((what, value) -> row(report, what, value));
        System.out.println(report);

        return decided
                && mailed
                && otherEvent == 0
                && traffic.gaveUp() == 0
                && byStatus.getOrDefault("PENDING", 0L) == 0
                && wrongMails == 0
                && stockProblems.isEmpty()
                && deadLetters == 0
                && lagTotal == 0
                && faults.observedAsPromised();
    }

    private long lag() {
        String lag = compose.kafkaCli(
                        "kafka-consumer-groups.sh",
                        "--bootstrap-server",
                        "localhost:9092",
                        "--describe",
                        "--all-groups")
                .output();
        return lag.lines()
                .map(line -> line.trim().split("\\s+"))
                .filter(columns -> columns.length >= 6 && columns[5].matches("\\d+"))
                .mapToLong(columns -> Long.parseLong(columns[5]))
                .sum();
    }

    private long deadLetters() {
        long deadLetters = 0;
        for (String topic : DEAD_LETTER_TOPICS) {
            deadLetters += compose.kafkaCli(
                            "kafka-get-offsets.sh", "--bootstrap-server", "localhost:9092", "--topic", topic)
                    .output()
                    .lines()
                    .map(line -> line.split(":"))
                    .filter(parts -> parts.length == 3 && parts[2].strip().matches("\\d+"))
                    .mapToLong(parts -> Long.parseLong(parts[2].strip()))
                    .sum();
        }
        return deadLetters;
    }

    /** A query as the database's own user, on the server that is the primary after the faults. */
    private String psql(String database, String sql) {
        return compose.psqlOn(faults.primary(), database, database, sql).strip();
    }

    /** A header of a MIME message, unfolded; empty when it has none. */
    private static String header(String mime, String name) {
        Matcher matcher = Pattern.compile("(?mi)^" + name + ":[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)")
                .matcher(mime);
        return matcher.find()
                ? matcher.group(1).replaceAll("\\r?\\n[ \\t]+", " ").strip()
                : "";
    }

    /** Seconds from the start of the run to an RFC 5322 date; -60 when it cannot be read. */
    private static long secondsSinceStart(String date) {
        try {
            Instant sent = ZonedDateTime.parse(
                            date.replaceAll("\\s*\\(.*\\)$", ""), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
            return Duration.between(FaultClock.STARTED_AT, sent).toSeconds();
        } catch (RuntimeException e) {
            return -60;
        }
    }

    private static void row(StringBuilder out, String label, Object value) {
        out.append("  %-48s %s%n".formatted(label, value));
    }
}
