package dev.shopflow.mail;

import dev.shopflow.admin.replay.ReplayReprocessing;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A replay with reprocess re-sends mails: the SENT mails of the replayed offsets become RESEND, so {@link
 * MailLog#claim} takes them again when the events are re-read ("send last month's order mails again").
 */
@Component
class MailReplay implements ReplayReprocessing {

    private static final String IN_RANGE = """
            source_topic = :topic and source_partition = :partition
            and source_offset >= :from and source_offset < :to and status = 'SENT'""";

    private final JdbcClient jdbc;

    MailReplay(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String effect() {
        return "mails sent again";
    }

    @Override
    public long count(String topic, List<OffsetRange> ranges) {
        long mails = 0;
        for (OffsetRange range : ranges) {
            mails += bind(jdbc.sql("select count(*) from mail_log where " + IN_RANGE), topic, range)
                    .query(Long.class)
                    .single();
        }
        return mails;
    }

    @Override
    public long forget(String topic, List<OffsetRange> ranges) {
        long mails = 0;
        for (OffsetRange range : ranges) {
            mails += bind(jdbc.sql("update mail_log set status = 'RESEND' where " + IN_RANGE), topic, range)
                    .update();
        }
        return mails;
    }

    private static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec statement, String topic, OffsetRange range) {
        return statement
                .param("topic", topic)
                .param("partition", range.partition())
                .param("from", range.from())
                .param("to", range.to());
    }
}
