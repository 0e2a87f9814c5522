package io.ledgerdisk.journal;

import io.ledgerdisk.journal.record.LogRecord;
import io.ledgerdisk.journal.record.RecordType;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Collects replayed records, copying payloads (they are valid only during the callback). */
final class ReplayedRecords implements Consumer<LogRecord> {
    /** A replayed record with its payload copied out. */
    record Replayed(long volumeId, long sequence, long timestampMicros, RecordType type, long offset, long length,
            byte[] payload) {
    }

    private final List<Replayed> records = new ArrayList<>();

    @Override
    public synchronized void accept(LogRecord r) {
        records.add(new Replayed(r.volumeId(), r.sequence(), r.timestampMicros(), r.type(), r.offset(), r.length(),
                ByteBufUtil.getBytes(r.payload())));
    }

    synchronized List<Replayed> records() {
        return List.copyOf(records);
    }
}
