package dev.shopflow.e2e;

import static dev.shopflow.e2e.Figures.INCOMPLETE;
import static dev.shopflow.e2e.Figures.UNKNOWN;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What became of a run's accepted orders, read back from the databases: which settled ({@code orders.settled_at},
 * or the status where that column does not exist) and had both mails {@code SENT} ({@code mail_log}), and when; and
 * the run's mails as {@code mail_log} and GreenMail count them. A run's orders share a customer and a recipient
 * ({@link OrderTraffic}), which is how they are found.
 */
final class Completions {

    /** For {@link #of}: whatever has completed so far counts. */
    static final long NO_DEADLINE = Long.MAX_VALUE - 1;
    /** Above this many mails for one recipient, GreenMail's REST answer (every whole message) gets too big. */
    static final long GREENMAIL_COUNT_LIMIT = 30_000;
    /** Missing orders named in a report, at most. */
    private static final int MISSING_NAMED = 5;

    private final Compose compose;
    private final Shop shop;
    private final boolean settledAtColumn;

    Completions(Compose compose, Shop shop, boolean settledAtColumn) {
        this.compose = compose;
        this.shop = shop;
        this.settledAtColumn = settledAtColumn;
    }

    /**
     * The accepted orders by the deadline: completed = settled and both mails sent. The times from request sent
     * are sorted, {@link Figures#INCOMPLETE} for an order not there by the deadline; {@code inDatabase}
     * counts every order of the customer, also those of requests that timed out at the client but were saved.
     */
    record Completion(
            int accepted,
            int completed,
            int settled,
            int mailed,
            int confirmed,
            int rejected,
            int inDatabase,
            long[] toSettled,
            long[] toLastMail,
            List<String> missing) {}

    record MailCheck(long expected, long logged, long received) {}

    /** @param sentAt the accepted orders: id → request sent, epoch microseconds */
    Completion of(String customer, Map<String, Long> sentAt, long deadlineMicros) {
        Map<String, String[]> orders = new HashMap<>();
        String settledAt = settledAtColumn ? "(extract(epoch from settled_at) * 1000000)::bigint" : "null";
        for (String line : compose.psql(
                        "orders",
                        "orders",
                        "copy (select id, status, " + settledAt + " from orders where customer_id = '" + customer
                                + "') to stdout")
                .lines()
                .toList()) {
            String[] columns = line.split("\t");
            orders.put(columns[0], columns);
        }
        Map<String, long[]> mails = new HashMap<>(); // order id -> sent_at of {received, outcome}
        for (String line : compose.psql(
                        "mail",
                        "mail",
                        "copy (select order_id, kind, (extract(epoch from sent_at) * 1000000)::bigint from mail_log"
                                + " where recipient = '" + OrderTraffic.email(customer)
                                + "' and status = 'SENT') to stdout")
                .lines()
                .toList()) {
            String[] columns = line.split("\t");
            long[] sent = mails.computeIfAbsent(columns[0], id -> new long[] {INCOMPLETE, INCOMPLETE});
            sent[columns[1].equals("ORDER_RECEIVED") ? 0 : 1] = Long.parseLong(columns[2]);
        }

        int completed = 0;
        int settledCount = 0;
        int mailedCount = 0;
        int confirmed = 0;
        int rejected = 0;
        long[] toSettled = new long[sentAt.size()];
        long[] toLastMail = new long[sentAt.size()];
        List<String> missing = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, Long> order : sentAt.entrySet()) {
            long sent = order.getValue();
            String[] row = orders.get(order.getKey());
            String status = row == null ? "MISSING" : row[1];
            confirmed += status.equals("CONFIRMED") ? 1 : 0;
            rejected += status.equals("REJECTED") ? 1 : 0;
            boolean settled;
            if (settledAtColumn) {
                boolean known = row != null && !row[2].equals("\\N");
                settled = known && Long.parseLong(row[2]) <= deadlineMicros;
                toSettled[i] = settled ? Long.parseLong(row[2]) - sent : INCOMPLETE;
            } else {
                settled = status.equals("CONFIRMED") || status.equals("REJECTED");
                toSettled[i] = UNKNOWN;
            }
            long[] mailed = mails.getOrDefault(order.getKey(), new long[] {INCOMPLETE, INCOMPLETE});
            long lastMail = Math.max(mailed[0], mailed[1]);
            boolean bothMailed = lastMail <= deadlineMicros;
            toLastMail[i] = bothMailed ? lastMail - sent : INCOMPLETE;
            settledCount += settled ? 1 : 0;
            mailedCount += bothMailed ? 1 : 0;
            completed += settled && bothMailed ? 1 : 0;
            if (!(settled && bothMailed) && missing.size() < MISSING_NAMED) {
                long mailCount =
                        Arrays.stream(mailed).filter(at -> at <= deadlineMicros).count();
                missing.add("%s %s, %d of 2 mails".formatted(order.getKey(), status, mailCount));
            }
            i++;
        }
        Arrays.sort(toSettled);
        Arrays.sort(toLastMail);
        return new Completion(
                sentAt.size(),
                completed,
                settledCount,
                mailedCount,
                confirmed,
                rejected,
                orders.size(),
                toSettled,
                toLastMail,
                List.copyOf(missing));
    }

    /**
     * After the pipeline went quiet: the run's mails as mail_log and GreenMail count them ({@code received} -1: not
     * counted, too many for GreenMail's answer).
     */
    MailCheck mails(String customer, int accepted) {
        long logged = Long.parseLong(compose.psql(
                        "mail",
                        "mail",
                        "select count(*) from mail_log where status = 'SENT' and recipient = '"
                                + OrderTraffic.email(customer) + "'")
                .strip());
        long expected = 2L * accepted;
        long received = expected <= GREENMAIL_COUNT_LIMIT ? shop.mailCount(OrderTraffic.email(customer)) : -1;
        return new MailCheck(expected, logged, received);
    }
}
