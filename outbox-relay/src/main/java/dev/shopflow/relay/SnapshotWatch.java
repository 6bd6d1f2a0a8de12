package dev.shopflow.relay;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import java.util.List;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a read of the whole outbox table (a Debezium snapshot: the first start, or a re-read after a lost slot or
 * offset) visible: a WARN and {@code shopflow.outbox.relay.snapshots}, once per engine run, when the first row it
 * read arrives; then hands every batch on to the sink unchanged. It sees the rows, not Debezium's decision, so a
 * snapshot of an empty outbox and heartbeat table (a new database) is not counted; it re-sends nothing either.
 */
final class SnapshotWatch implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    private static final Logger log = LoggerFactory.getLogger(SnapshotWatch.class);

    private final DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> sink;
    private final RelayMetrics metrics;
    private final String slotName;
    private boolean seen;

    SnapshotWatch(
            DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> sink,
            RelayMetrics metrics,
            String slotName) {
        this.sink = sink;
        this.metrics = metrics;
        this.slotName = slotName;
    }

    @Override
    public void handleBatch(
            List<RecordChangeEvent<SourceRecord>> batch,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        if (!seen && batch.stream().anyMatch(change -> isSnapshotRead(change.record()))) {
            seen = true;
            metrics.snapshotStarted();
            log.warn(
                    "Outbox relay is reading the whole outbox table (Debezium snapshot, slot {}): every event it holds"
                            + " is sent, those relayed before again; consumers drop duplicates",
                    slotName);
        }
        sink.handleBatch(batch, committer);
    }

    /** A row read by a snapshot: Debezium marks it {@code op=r}, a streamed insert {@code op=c}. */
    static boolean isSnapshotRead(SourceRecord change) {
        return change.value() instanceof Struct envelope
                && envelope.schema().field("op") != null
                && "r".equals(envelope.getString("op"));
    }
}
