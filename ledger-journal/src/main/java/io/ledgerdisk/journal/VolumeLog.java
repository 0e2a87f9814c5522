package io.ledgerdisk.journal;

import static io.ledgerdisk.journal.BookKeeperErrors.describe;
import static io.ledgerdisk.journal.BookKeeperErrors.unwrap;

import io.ledgerdisk.journal.record.LedgerRecordFormat;
import io.ledgerdisk.journal.record.LogRecord;
import io.ledgerdisk.journal.record.RecordType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.apache.bookkeeper.client.BookKeeper;
import org.apache.bookkeeper.client.api.WriteHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A volume's write log: an ordered list of BookKeeper ledgers holding the volume's records
 * (DESIGN.md, write path). Thread-safe. Append futures complete in sequence order.
 *
 * <p><b>Group commit.</b> Sequence numbers are assigned when {@link #append} is called. The
 * first {@link #ENTRIES_IN_FLIGHT_AT_ONCE} entries are sent as soon as records are queued; further
 * ones, up to {@link Durability#entriesInFlight()}, only once {@link #FOLLOW_ON_ENTRY_BYTES} are
 * queued. Otherwise appends queue, and when an entry completes the queue is drained into as few
 * entries as {@code maxEntryBytes} allows. A lone append is therefore sent at once, with no
 * timer, and concurrent appends share entries.
 *
 * <p><b>Failure.</b> A failed entry fails its records and every later one, so that no gap is
 * ever acknowledged. If BookKeeper reports the ledger fenced, another writer has opened the
 * volume: the log becomes {@linkplain #isFenced() fenced} and fails every further append with
 * {@link VolumeLogFencedException}. Any other failure closes the current ledger; the next
 * append starts a new ledger, so the log resumes once enough bookies are back.
 *
 * <p><b>Roll-over.</b> When the current ledger has received {@code rollOverBytes} or is older
 * than {@code rollOverAge}, the next entry waits for the outstanding ones, the ledger is closed
 * (forced first in LAZY mode), a new one is created and recorded through the
 * {@link LedgerCatalog}, and only then are records written into it.
 *
 * <p><b>LAZY durability.</b> Ledgers carry BookKeeper's {@code DEFERRED_SYNC} flag and
 * {@link #force()} forces them. Acknowledged records stay in memory until a force covers them
 * (at most {@link #MAX_UNFORCED_ENTRIES} entries' worth; past that the log forces on its own).
 * When a ledger cannot be forced (a bookie of its ensemble is lost; BookKeeper then closes it
 * at its last forced entry), the log rolls over and writes those records again, with their
 * sequence numbers, at the head of the new ledger. Consecutive ledgers may therefore overlap by
 * identical records; replay skips the second copy.
 */
public final class VolumeLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VolumeLog.class);

    /**
     * Entries sent as soon as records are queued, whatever their size: a lone append leaves at
     * once (queue-depth-1 latency), and so does a second one behind it (queue depth 2 keeps two
     * fsyncs overlapping).
     */
    static final int ENTRIES_IN_FLIGHT_AT_ONCE = 2;

    /**
     * Queued bytes worth a further entry beyond {@link #ENTRIES_IN_FLIGHT_AT_ONCE} in flight;
     * smaller queues wait for the next acknowledgement and then share one entry. Sending every
     * append into whichever slot freed first made most entries tiny: QD32 4k writes over NBD
     * carried 1-3 records in 70% of entries (5 on average), and every entry costs each bookie a
     * request, a journal write and a share of an fsync. With this bound they carry ~8 on average.
     * Together with the bookies' InterleavedLedgerStorage, {@code VolumeLog.append} at QD32 went
     * from 5.0-5.9k to 8.6-9.1k appends/s (bench/journal, alternating builds); QD4 over NBD did not
     * change (2026-12-03, 3 bookies on 2 cores).
     */
    static final int FOLLOW_ON_ENTRY_BYTES = 32 * 1024;

    /**
     * Bytes of appended records not yet sent, in entries of {@code maxEntryBytes}, above which
     * the log reports itself not {@linkplain #isWritable() writable}. Bytes sent and not yet
     * acknowledged are bounded separately by {@link Durability#entriesInFlight()}.
     */
    public static final int MAX_BUFFERED_ENTRIES = 16;

    /**
     * In LAZY mode, acknowledged-but-unforced bytes (in entries of {@code maxEntryBytes}) above
     * which the log forces on its own: they are kept in memory until forced.
     */
    public static final int MAX_UNFORCED_ENTRIES = 64;

    private static final long CLOSE_TIMEOUT_SECONDS = 30;

    private enum Mode { ACTIVE, CLOSING, CLOSED, FENCED }

    private final JournalConfig config;
    private final long volumeId;
    private final LedgerStarter ledgerStarter;
    private final CopyOnWriteArrayList<Long> ledgerIds;
    private final Object lock = new Object();

    // Guarded by lock.
    private Mode mode = Mode.ACTIVE;
    private WriteHandle ledger;
    /** The ledger an entry failed on: later acknowledgements from it are not trusted. */
    private WriteHandle brokenLedger;
    private boolean rollRequested = true;
    private boolean rolling;
    private long ledgerBytes;
    private long ledgerStartedNanos;
    private long lastAssignedSequence;
    private long lastTimestampMicros;
    /** Entries sent and not yet completed, oldest first. */
    private final ArrayDeque<List<PendingRecord>> inFlight = new ArrayDeque<>();
    private final ArrayDeque<PendingRecord> queue = new ArrayDeque<>();
    private long bufferedBytes;
    private final List<CompletableFuture<Void>> writableWaiters = new ArrayList<>();
    private final UnforcedRecords unforced = new UnforcedRecords();
    private boolean forcing;
    private VolumeLogFencedException fencedBy;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    private volatile long lastAcknowledgedSequence;

    private VolumeLog(BookKeeper bookKeeper, JournalConfig config, long volumeId, List<Long> ledgerIds,
            LedgerCatalog catalog, long lastSequence) {
        this.config = config;
        this.volumeId = volumeId;
        this.ledgerStarter = new LedgerStarter(bookKeeper, config, volumeId, catalog);
        this.ledgerIds = new CopyOnWriteArrayList<>(ledgerIds);
        this.lastAssignedSequence = lastSequence;
        this.lastAcknowledgedSequence = lastSequence;
    }

    /**
     * Opens the volume's existing ledgers (all with recovery; on the last one this fences any
     * previous writer), replays every record in sequence order into {@code replay} (payload valid
     * only during the call, called on a BookKeeper thread), then creates a new ledger, records it
     * through the catalog, and is ready.
     *
     * @param ledgerIds the volume's ledgers in the order the catalog recorded them
     * @return the open log, or a future failed with {@link JournalException} naming the ledger
     *     that could not be opened, read or decoded
     */
    public static CompletableFuture<VolumeLog> open(BookKeeper bk, JournalConfig config, long volumeId,
            List<Long> ledgerIds, LedgerCatalog catalog, Consumer<LogRecord> replay) {
        return open(bk, config, volumeId, ledgerIds, 0, catalog, replay);
    }

    /**
     * Like {@link #open(BookKeeper, JournalConfig, long, List, LedgerCatalog, Consumer)}, for a
     * volume whose records up to {@code coveredSequence} are already folded into chunks: those
     * are not replayed, and new records are numbered after it even if no ledger still holds it.
     */
    public static CompletableFuture<VolumeLog> open(BookKeeper bk, JournalConfig config, long volumeId,
            List<Long> ledgerIds, long coveredSequence, LedgerCatalog catalog, Consumer<LogRecord> replay) {
        Objects.requireNonNull(bk, "bk");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(replay, "replay");
        List<Long> ids = List.copyOf(ledgerIds);
        Consumer<LogRecord> uncovered = record -> {
            if (record.sequence() > coveredSequence) {
                replay.accept(record);
            }
        };
        return LedgerReplay.replay(bk, config, volumeId, ids, uncovered)
                .thenCompose(lastSequence -> {
                    VolumeLog log = new VolumeLog(bk, config, volumeId, ids, catalog,
                            Math.max(lastSequence, coveredSequence));
                    return log.startLedger().thenApply(v -> log);
                })
                .exceptionally(error -> {
                    Throwable cause = unwrap(error);
                    if (cause instanceof JournalException) {
                        throw (JournalException) cause;
                    }
                    throw new JournalException("cannot open the log of volume " + volumeId + " (ledgers " + ids
                            + "): " + describe(cause), cause);
                });
    }

    /**
     * Appends one record; completes with its sequence number once BookKeeper has acknowledged it
     * (ack quorum). Fails with {@link JournalException} if the log is fenced, closed, or
     * BookKeeper fails. Never blocks.
     *
     * @param payload the written bytes for WRITE ({@code length} readable bytes), empty or null
     *     for ZERO and TRIM; the caller keeps ownership: the bytes are copied before this returns
     * @throws IllegalArgumentException if the payload does not match type and length, or a WRITE
     *     is larger than one entry can hold
     */
    public CompletableFuture<Long> append(RecordType type, long offset, long length, ByteBuf payload) {
        return append(type, offset, length, payload, null);
    }

    /**
     * Like {@link #append(RecordType, long, long, ByteBuf)}, and calls {@code onAcknowledged}
     * with the record's sequence once BookKeeper acknowledged it, before the future completes.
     * The observers of one log run one at a time in sequence order, which lets the caller keep an
     * in-memory index whose newest entry is always the newest acknowledged record.
     */
    public CompletableFuture<Long> append(RecordType type, long offset, long length, ByteBuf payload,
            LongConsumer onAcknowledged) {
        Objects.requireNonNull(type, "type");
        ByteBuf data = payload == null ? Unpooled.EMPTY_BUFFER : payload;
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must not be negative: offset=" + offset
                    + " length=" + length);
        }
        long payloadLength = type.hasPayload() ? length : 0;
        if (data.readableBytes() != payloadLength) {
            throw new IllegalArgumentException(type + " of length " + length + " needs " + payloadLength
                    + " payload bytes, got " + data.readableBytes());
        }
        if (payloadLength > config.maxPayloadBytes()) {
            throw new IllegalArgumentException("WRITE of " + length + " bytes exceeds the " + config.maxPayloadBytes()
                    + " bytes one ledger entry can carry (maxEntryBytes " + config.maxEntryBytes()
                    + "); split it into smaller writes");
        }
        // Copy and checksum outside the lock; only sequence and timestamp are set under it.
        ByteBuf bytes = ByteBufAllocator.DEFAULT.buffer(LedgerRecordFormat.recordLength((int) payloadLength));
        LedgerRecordFormat.writeRecord(bytes, type, volumeId, 0, 0, offset, length, data);
        CompletableFuture<Long> result = new CompletableFuture<>();
        List<Runnable> completions = new ArrayList<>();
        synchronized (lock) {
            JournalException refusal = refusal();
            if (refusal != null) {
                bytes.release();
                return CompletableFuture.failedFuture(refusal);
            }
            long sequence = ++lastAssignedSequence;
            long timestamp = Math.max(lastTimestampMicros, nowMicros());
            lastTimestampMicros = timestamp;
            LedgerRecordFormat.stampRecord(bytes, 0, sequence, timestamp);
            queue.add(new PendingRecord(sequence, bytes, result, onAcknowledged));
            bufferedBytes += bytes.readableBytes();
            pump(completions);
        }
        completions.forEach(Runnable::run);
        return result;
    }

    /**
     * Completes when every record acknowledged before the call is durable: at once in IMMEDIATE
     * mode (acknowledged means fsynced), after {@code WriteHandle.force()} in LAZY mode.
     */
    public CompletableFuture<Void> force() {
        if (config.durability() == Durability.IMMEDIATE) {
            return CompletableFuture.completedFuture(null);
        }
        List<Runnable> completions = new ArrayList<>();
        CompletableFuture<Void> durable;
        synchronized (lock) {
            JournalException refusal = refusal();
            if (refusal != null) {
                return CompletableFuture.failedFuture(refusal);
            }
            durable = unforced.awaitDurable(lastAcknowledgedSequence);
            pump(completions);
        }
        completions.forEach(Runnable::run);
        return durable;
    }

    /**
     * Whether appended-but-unsent records are below the buffer bound ({@link #MAX_BUFFERED_ENTRIES}
     * entries). Appends are still accepted when it is false; a caller that reads requests from a
     * network connection should stop reading until {@link #whenWritable()} completes, which
     * bounds memory the way a Vert.x {@code WriteStream}'s drain handler does.
     */
    public boolean isWritable() {
        synchronized (lock) {
            return bufferedBytes < bufferLimit() || mode != Mode.ACTIVE;
        }
    }

    /** Completes when the log is {@linkplain #isWritable() writable} again (at once if it is). */
    public CompletableFuture<Void> whenWritable() {
        synchronized (lock) {
            if (bufferedBytes < bufferLimit() || mode != Mode.ACTIVE) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> waiter = new CompletableFuture<>();
            writableWaiters.add(waiter);
            return waiter;
        }
    }

    /** Bytes of appended records waiting to be sent to BookKeeper. */
    public long bufferedBytes() {
        synchronized (lock) {
            return bufferedBytes;
        }
    }

    /** The sequence of the newest acknowledged record (after open: the newest replayed one; 0 if none). */
    public long lastSequence() {
        return lastAcknowledgedSequence;
    }

    /** The volume's ledgers in order, including the one being written. */
    public List<Long> ledgerIds() {
        return List.copyOf(ledgerIds);
    }

    /** The volume this log belongs to. */
    public long volumeId() {
        return volumeId;
    }

    /** Whether another writer has taken over this volume's log. */
    public boolean isFenced() {
        synchronized (lock) {
            return mode == Mode.FENCED;
        }
    }

    /**
     * Stops accepting appends, lets the queued and outstanding ones finish, and closes the
     * current ledger. Completes normally even when the log was fenced or had failed.
     */
    public CompletableFuture<Void> closeAsync() {
        List<Runnable> completions = new ArrayList<>();
        synchronized (lock) {
            if (mode == Mode.ACTIVE) {
                mode = Mode.CLOSING;
                pump(completions);
            } else if (mode == Mode.FENCED) {
                closed.complete(null);
            }
        }
        completions.forEach(Runnable::run);
        return closed;
    }

    /**
     * Like {@link #closeAsync()}, but blocks the calling thread until the log is closed (at most
     * 30 seconds; after that the ledger is left for the next writer's recovery to close).
     */
    @Override
    public void close() {
        try {
            closeAsync().get(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JournalException("interrupted while closing the log of volume " + volumeId, e);
        } catch (ExecutionException e) {
            throw new JournalException("closing the log of volume " + volumeId + " failed: "
                    + describe(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new JournalException("the log of volume " + volumeId + " did not close within "
                    + CLOSE_TIMEOUT_SECONDS + " s; its last ledger will be recovered by the next writer", e);
        }
    }

    // ---------------------------------------------------------------- state machine (under lock)

    /** Why an append or force is refused now, or null. */
    private JournalException refusal() {
        switch (mode) {
            case ACTIVE:
                return null;
            case FENCED:
                return fencedBy;
            default:
                return new JournalException("the log of volume " + volumeId + " is closed");
        }
    }

    /**
     * Moves queued records along: sends entries while there is room, starts a roll-over when one
     * is due and nothing is outstanding, finishes a close when everything is acknowledged.
     * Future completions are collected into {@code completions} to run outside the lock.
     */
    private void pump(List<Runnable> completions) {
        sendWhatCanGo(completions);
        if (config.durability() == Durability.LAZY
                && (unforced.hasWaiters() || unforced.bytes() > (long) MAX_UNFORCED_ENTRIES * config.maxEntryBytes())) {
            startForce(completions);
        }
        if (!writableWaiters.isEmpty() && (bufferedBytes <= bufferLimit() / 2 || mode != Mode.ACTIVE)) {
            // Hysteresis: wake writers when half the buffer is free, not at every entry.
            List<CompletableFuture<Void>> waiters = new ArrayList<>(writableWaiters);
            writableWaiters.clear();
            waiters.forEach(w -> completions.add(() -> w.complete(null)));
        }
    }

    private long bufferLimit() {
        return (long) MAX_BUFFERED_ENTRIES * config.maxEntryBytes();
    }

    private void sendWhatCanGo(List<Runnable> completions) {
        while (true) {
            if (mode == Mode.FENCED || mode == Mode.CLOSED || rolling) {
                return;
            }
            // A flush waiting on a ledger that cannot be forced needs the next ledger even
            // when nothing new is queued.
            boolean rewriteDue = rollRequested && unforced.hasWaiters() && mode == Mode.ACTIVE;
            if (queue.isEmpty() && !rewriteDue) {
                if (mode == Mode.CLOSING && inFlight.isEmpty()) {
                    finishClose();
                }
                return;
            }
            if (!rollRequested && rollOverDue()) {
                rollRequested = true;
            }
            if (rollRequested) {
                if (inFlight.isEmpty()) {
                    rollOver(completions);
                }
                return;
            }
            if (inFlight.size() >= config.durability().entriesInFlight()) {
                return;
            }
            if (inFlight.size() >= ENTRIES_IN_FLIGHT_AT_ONCE && bufferedBytes < FOLLOW_ON_ENTRY_BYTES
                    && mode == Mode.ACTIVE) {
                return; // the queued records leave with the next acknowledgement, or once they fill this much
            }
            sendEntry(completions);
        }
    }

    private boolean rollOverDue() {
        return ledgerBytes > 0 && (ledgerBytes >= config.rollOverBytes()
                || System.nanoTime() - ledgerStartedNanos >= config.rollOverAge().toNanos());
    }

    /** Drains the queue head into one entry (at most maxEntryBytes) and sends it. */
    private void sendEntry(List<Runnable> completions) {
        List<PendingRecord> batch = new ArrayList<>();
        int entryBytes = LedgerRecordFormat.ENTRY_HEADER_LENGTH;
        while (!queue.isEmpty()) {
            PendingRecord next = queue.peek();
            int size = next.bytes.readableBytes();
            if (!batch.isEmpty() && entryBytes + size > config.maxEntryBytes()) {
                break;
            }
            queue.poll();
            bufferedBytes -= size;
            batch.add(next);
            entryBytes += size;
        }
        CompositeByteBuf entry = ByteBufAllocator.DEFAULT.compositeBuffer(batch.size() + 1);
        entry.addComponent(true, LedgerRecordFormat.entryHeader(batch.size()));
        for (PendingRecord record : batch) {
            // The entry takes the record's reference: BookKeeper releases the entry once sent.
            entry.addComponent(true, record.bytes.retain());
        }
        inFlight.add(batch);
        ledgerBytes += entryBytes;
        WriteHandle target = ledger;
        CompletableFuture<Long> added;
        try {
            added = target.appendAsync(entry);
        } catch (RuntimeException e) {
            // Whether BookKeeper took the entry's reference is unknown here: leaking it once is
            // safer than releasing it twice.
            added = CompletableFuture.failedFuture(e);
        }
        added.whenComplete((entryId, error) -> onEntryComplete(target, batch, error));
    }

    private void onEntryComplete(WriteHandle target, List<PendingRecord> batch, Throwable error) {
        List<Runnable> completions = new ArrayList<>();
        synchronized (lock) {
            inFlight.remove(batch);
            if (error == null && target != brokenLedger) {
                long last = batch.get(batch.size() - 1).sequence;
                lastAcknowledgedSequence = Math.max(lastAcknowledgedSequence, last);
                for (PendingRecord record : batch) {
                    record.acknowledged = true;
                    if (config.durability() == Durability.LAZY) {
                        unforced.add(record);
                    } else {
                        record.bytes.release();
                    }
                    // A record written again into a new ledger completed the first time: a no-op.
                    completions.add(record::complete);
                }
            } else {
                JournalException failure = error == null
                        ? new JournalException("entry of volume " + volumeId + " (records " + batch.get(0).sequence
                                + ".." + batch.get(batch.size() - 1).sequence + ") was acknowledged after an earlier"
                                + " entry of ledger " + target.getId() + " failed; failing it to keep the log gap-free")
                        : entryFailure(target, batch, error);
                failBatch(batch, failure, completions);
                if (failure instanceof VolumeLogFencedException fenced) {
                    fence(fenced, completions);
                } else {
                    // Everything queued behind the failed entry fails too: no gap is acknowledged.
                    // The next append starts a new ledger.
                    failQueue(failure, completions);
                    brokenLedger = target;
                    rollRequested = true;
                }
            }
            pump(completions);
        }
        completions.forEach(Runnable::run);
    }

    private JournalException entryFailure(WriteHandle target, List<PendingRecord> batch, Throwable error) {
        Throwable cause = unwrap(error);
        String records = "records " + batch.get(0).sequence + ".." + batch.get(batch.size() - 1).sequence;
        if (BookKeeperErrors.isFencing(cause)) {
            return new VolumeLogFencedException("volume " + volumeId + " was opened by another writer, which fenced"
                    + " ledger " + target.getId() + "; this node must stop serving the volume (" + records
                    + " not written)", cause);
        }
        return new JournalException("BookKeeper could not write " + records + " of volume " + volumeId + " to ledger "
                + target.getId() + ": " + describe(cause) + "; the log starts a new ledger on the next append"
                + " (it needs " + config.ackQuorum() + " of " + config.ensembleSize() + " bookies writable)", cause);
    }

    private void fence(VolumeLogFencedException cause, List<Runnable> completions) {
        if (mode == Mode.FENCED) {
            return;
        }
        LOG.warn("{}", cause.getMessage());
        mode = Mode.FENCED;
        fencedBy = cause;
        failQueue(cause, completions);
        // The fencing writer's recovery decides what of the unforced records survives.
        unforced.abandon(cause, completions);
        completions.add(() -> closed.complete(null));
    }

    private void failBatch(List<PendingRecord> batch, JournalException failure, List<Runnable> completions) {
        for (PendingRecord record : batch) {
            record.bytes.release();
            if (record.acknowledged) {
                // Written again after a lost force, and lost again: its flush cannot succeed.
                unforced.failWaitersFrom(record.sequence, failure, completions);
            }
            completions.add(() -> record.future.completeExceptionally(failure));
        }
    }

    private void failQueue(JournalException failure, List<Runnable> completions) {
        failBatch(new ArrayList<>(queue), failure, completions);
        queue.clear();
        bufferedBytes = 0;
    }

    private void finishClose() {
        mode = Mode.CLOSED;
        WriteHandle current = ledger;
        ledger = null;
        if (current == null) {
            closed.complete(null);
            return;
        }
        closeLedger(current).whenComplete((v, error) -> {
            if (error != null) {
                LOG.warn("closing ledger {} of volume {} failed; the next writer's recovery will close it: {}",
                        current.getId(), volumeId, describe(error));
            }
            closed.complete(null);
        });
    }

    /**
     * Closes a ledger; in LAZY mode forces it first. If that force fails, the unforced records
     * are queued again at the head of the queue for the next ledger (BookKeeper closes a
     * DEFERRED_SYNC ledger at its last forced entry), unless the log is closing for good.
     */
    private CompletableFuture<Void> closeLedger(WriteHandle handle) {
        if (config.durability() == Durability.IMMEDIATE) {
            return handle.closeAsync();
        }
        long covered;
        synchronized (lock) {
            covered = forcibleThrough();
        }
        return handle.force()
                .handle((v, error) -> {
                    List<Runnable> completions = new ArrayList<>();
                    synchronized (lock) {
                        if (error == null) {
                            unforced.durableThrough(covered, completions);
                        } else if (mode == Mode.CLOSED) {
                            JournalException lost = new JournalException("ledger " + handle.getId() + " of volume "
                                    + volumeId + " was closed without a successful force (" + describe(error)
                                    + "); records acknowledged since the last flush may not be durable", unwrap(error));
                            LOG.warn("{}", lost.getMessage());
                            unforced.abandon(lost, completions);
                        } else {
                            rewriteUnforced(handle);
                        }
                    }
                    completions.forEach(Runnable::run);
                    return null;
                })
                .thenCompose(v -> handle.closeAsync());
    }

    /** Puts the unforced records back at the head of the queue, oldest first, for the next ledger. */
    private void rewriteUnforced(WriteHandle lost) {
        List<PendingRecord> records = unforced.takeAll();
        if (records.isEmpty()) {
            return;
        }
        LOG.warn("ledger {} of volume {} cannot be forced; writing its {} unforced records ({}..{}) again into the"
                + " next ledger", lost.getId(), volumeId, records.size(), records.get(0).sequence,
                records.get(records.size() - 1).sequence);
        for (int i = records.size() - 1; i >= 0; i--) {
            queue.addFirst(records.get(i));
            bufferedBytes += records.get(i).size();
        }
    }

    /**
     * The highest sequence a force issued now makes durable: every record up to it is
     * acknowledged in the current ledger (records being written again are not yet).
     */
    private long forcibleThrough() {
        long covered = lastAcknowledgedSequence;
        if (!inFlight.isEmpty()) {
            covered = Math.min(covered, inFlight.peekFirst().get(0).sequence - 1);
        }
        if (!queue.isEmpty()) {
            covered = Math.min(covered, queue.peekFirst().sequence - 1);
        }
        return covered;
    }

    /** Forces the current ledger if some waiter or the memory bound needs it and it can be forced. */
    private void startForce(List<Runnable> completions) {
        long covered = forcibleThrough();
        if (!unforced.anyThrough(covered)) {
            // Everything a waiter up to covered needs is durable already.
            unforced.durableThrough(covered, completions);
            return;
        }
        if (forcing || ledger == null || rolling || rollRequested || ledger == brokenLedger
                || (mode != Mode.ACTIVE && mode != Mode.CLOSING)) {
            return;
        }
        forcing = true;
        WriteHandle target = ledger;
        completions.add(() -> target.force().whenComplete((v, error) -> onForced(target, covered, error)));
    }

    private void onForced(WriteHandle target, long covered, Throwable error) {
        List<Runnable> completions = new ArrayList<>();
        synchronized (lock) {
            forcing = false;
            if (error == null) {
                unforced.durableThrough(covered, completions);
            } else if (target == ledger) {
                // A DEFERRED_SYNC ledger forces on every bookie of its ensemble: after a bookie
                // loss it never will again. Roll over; the unforced records go into the next ledger.
                LOG.warn("forcing ledger {} of volume {} failed ({}); moving to a new ledger", target.getId(), volumeId,
                        describe(error));
                rollRequested = true;
            }
            pump(completions);
        }
        completions.forEach(Runnable::run);
    }

    // ---------------------------------------------------------------- roll-over

    /** Called under the lock with nothing outstanding: replace the current ledger. */
    private void rollOver(List<Runnable> completions) {
        rolling = true;
        WriteHandle old = ledger;
        ledger = null;
        // Started after the completions collected so far have run, so that the old ledger's
        // last acknowledgements reach their observers before any of the new ledger's can.
        completions.add(() -> {
            CompletableFuture<Void> oldClosed = old == null
                    ? CompletableFuture.completedFuture(null)
                    : closeLedger(old).handle((v, error) -> {
                        if (error != null) {
                            onOldLedgerCloseFailed(old, unwrap(error));
                        }
                        return null;
                    });
            oldClosed.thenCompose(v -> startLedger());
        });
    }

    private void onOldLedgerCloseFailed(WriteHandle old, Throwable cause) {
        List<Runnable> completions = new ArrayList<>();
        synchronized (lock) {
            if (BookKeeperErrors.isFencing(cause)) {
                fence(new VolumeLogFencedException("volume " + volumeId + " was opened by another writer, which"
                        + " fenced ledger " + old.getId() + " while this node was closing it; this node must stop"
                        + " serving the volume", cause), completions);
            } else {
                LOG.warn("closing ledger {} of volume {} failed; the next writer's recovery will close it: {}",
                        old.getId(), volumeId, describe(cause));
            }
        }
        completions.forEach(Runnable::run);
    }

    /**
     * Creates a ledger, records it in the catalog and makes it current. On failure every queued
     * record fails and the next append tries again.
     */
    private CompletableFuture<Void> startLedger() {
        long createdMicros = nowMicros();
        synchronized (lock) {
            rolling = true;
            if (mode == Mode.FENCED) {
                rolling = false;
                return CompletableFuture.failedFuture(fencedBy);
            }
        }
        return ledgerStarter.start(this::nextSequenceToSend, createdMicros)
                .thenAccept(this::ledgerStarted)
                .whenComplete((v, error) -> {
                    if (error != null) {
                        ledgerStartFailed(unwrap(error));
                    }
                });
    }

    /** The sequence the next entry starts with: the oldest queued record's, else the next to assign. */
    private long nextSequenceToSend() {
        synchronized (lock) {
            return queue.isEmpty() ? lastAssignedSequence + 1 : queue.peek().sequence;
        }
    }

    private void ledgerStarted(WriteHandle handle) {
        List<Runnable> completions = new ArrayList<>();
        synchronized (lock) {
            rolling = false;
            rollRequested = false;
            ledger = handle;
            ledgerBytes = 0;
            ledgerStartedNanos = System.nanoTime();
            ledgerIds.add(handle.getId());
            LOG.debug("volume {} writes to ledger {}", volumeId, handle.getId());
            pump(completions);
        }
        completions.forEach(Runnable::run);
    }

    private void ledgerStartFailed(Throwable cause) {
        JournalException failure = cause instanceof JournalException
                ? (JournalException) cause
                : new JournalException("cannot start a ledger for volume " + volumeId + ": " + describe(cause), cause);
        List<Runnable> completions = new ArrayList<>();
        synchronized (lock) {
            rolling = false;
            rollRequested = true;
            failQueue(failure, completions);
            pump(completions);
        }
        completions.forEach(Runnable::run);
    }

    // ---------------------------------------------------------------- helpers

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
