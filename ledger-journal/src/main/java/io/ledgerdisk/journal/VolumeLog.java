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
import org.apache.bookkeeper.client.BookKeeper;
import org.apache.bookkeeper.client.api.WriteHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A volume's write log: an ordered list of BookKeeper ledgers holding the volume's records
 * (DESIGN.md, write path). Thread-safe. Append futures complete in sequence order.
 *
 * <p><b>Group commit.</b> Sequence numbers are assigned when {@link #append} is called. Up to
 * {@link #MAX_ENTRIES_IN_FLIGHT} ledger entries are outstanding at BookKeeper; while that many
 * are, further appends queue, and when one entry completes the queue is drained into as few
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
 */
public final class VolumeLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VolumeLog.class);

    /**
     * Entries outstanding at BookKeeper before appends start to queue. More than one keeps the
     * bookies busy while an acknowledgement travels back; few enough that concurrent appends
     * still batch.
     */
    public static final int MAX_ENTRIES_IN_FLIGHT = 4;

    /**
     * Bytes of appended records not yet sent, in entries of {@code maxEntryBytes}, above which
     * the log reports itself not {@linkplain #isWritable() writable}. Bytes sent and not yet
     * acknowledged are bounded separately by {@link #MAX_ENTRIES_IN_FLIGHT}.
     */
    public static final int MAX_BUFFERED_ENTRIES = 16;

    private static final long CLOSE_TIMEOUT_SECONDS = 30;

    private enum Mode { ACTIVE, CLOSING, CLOSED, FENCED }

    /** A record whose sequence is assigned and whose bytes are encoded, not yet acknowledged. */
    private static final class PendingRecord {
        final long sequence;
        final ByteBuf bytes;
        final CompletableFuture<Long> future;
        /** Set once the record went out in an entry: its outcome is then unknown on failure. */
        boolean sent;

        PendingRecord(long sequence, ByteBuf bytes, CompletableFuture<Long> future) {
            this.sequence = sequence;
            this.bytes = bytes;
            this.future = future;
        }
    }

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
    private int entriesInFlight;
    private final ArrayDeque<PendingRecord> queue = new ArrayDeque<>();
    private long bufferedBytes;
    private final List<CompletableFuture<Void>> writableWaiters = new ArrayList<>();
    /** A LAZY ledger closed without a successful force: reported by the next {@link #force()}. */
    private JournalException unforcedLedger;
    /** Records up to this sequence were covered by a force failure already reported to a caller. */
    private long forceFailureReportedThrough;
    /** The last roll-over's close of the previous ledger (forced first in LAZY mode). */
    private CompletableFuture<Void> previousLedgerClosed = CompletableFuture.completedFuture(null);
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
        Objects.requireNonNull(bk, "bk");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(replay, "replay");
        List<Long> ids = List.copyOf(ledgerIds);
        return LedgerReplay.replay(bk, config, volumeId, ids, replay)
                .thenCompose(lastSequence -> {
                    VolumeLog log = new VolumeLog(bk, config, volumeId, ids, catalog, lastSequence);
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
            queue.add(new PendingRecord(sequence, bytes, result));
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
        WriteHandle current;
        CompletableFuture<Void> rollOverClose;
        synchronized (lock) {
            JournalException refusal = refusal();
            if (refusal != null) {
                return CompletableFuture.failedFuture(refusal);
            }
            current = ledger;
            rollOverClose = previousLedgerClosed;
        }
        // Records acknowledged in earlier ledgers were forced when their ledger was closed; a
        // roll-over may still be doing that, and may have failed to.
        CompletableFuture<Void> earlierLedgers = rollOverClose.thenCompose(v -> reportUnforcedLedger());
        if (current == null) {
            return earlierLedgers;
        }
        return earlierLedgers.thenCompose(v -> current.force().handle((forced, error) -> {
            if (error == null) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            Throwable cause = unwrap(error);
            synchronized (lock) {
                if (ledger != current && previousLedgerClosed != rollOverClose) {
                    // Rolled over meanwhile: the roll-over forced this ledger before closing it.
                    return previousLedgerClosed.thenCompose(c -> reportUnforcedLedger());
                }
                // A DEFERRED_SYNC ledger forces on every bookie of its ensemble: after a bookie
                // loss it never will again, so later records go to a new ledger.
                if (ledger == current) {
                    rollRequested = true;
                }
                forceFailureReportedThrough = lastAcknowledgedSequence;
            }
            return CompletableFuture.<Void>failedFuture(new JournalException("cannot force ledger " + current.getId()
                    + " of volume " + volumeId + ": records acknowledged before this flush may not be durable ("
                    + describe(cause) + "); the log moves to a new ledger", cause));
        }).thenCompose(f -> f));
    }

    /** Fails once, with the reason, if a LAZY ledger was closed without a successful force. */
    private CompletableFuture<Void> reportUnforcedLedger() {
        synchronized (lock) {
            JournalException unforced = unforcedLedger;
            if (unforced == null) {
                return CompletableFuture.completedFuture(null);
            }
            unforcedLedger = null;
            forceFailureReportedThrough = lastAcknowledgedSequence;
            return CompletableFuture.failedFuture(unforced);
        }
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
            if (queue.isEmpty()) {
                if (mode == Mode.CLOSING && entriesInFlight == 0) {
                    finishClose();
                }
                return;
            }
            if (!rollRequested && rollOverDue()) {
                rollRequested = true;
            }
            if (rollRequested) {
                if (entriesInFlight == 0) {
                    rollOver();
                }
                return;
            }
            if (entriesInFlight >= MAX_ENTRIES_IN_FLIGHT) {
                return;
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
            next.sent = true;
            batch.add(next);
            entryBytes += size;
        }
        CompositeByteBuf entry = ByteBufAllocator.DEFAULT.compositeBuffer(batch.size() + 1);
        entry.addComponent(true, LedgerRecordFormat.entryHeader(batch.size()));
        for (PendingRecord record : batch) {
            // The entry takes the record's reference: BookKeeper releases the entry once sent.
            entry.addComponent(true, record.bytes.retain());
        }
        entriesInFlight++;
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
            entriesInFlight--;
            if (error == null && target != brokenLedger) {
                long last = batch.get(batch.size() - 1).sequence;
                lastAcknowledgedSequence = last;
                for (PendingRecord record : batch) {
                    record.bytes.release();
                    completions.add(() -> record.future.complete(record.sequence));
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
        completions.add(() -> closed.complete(null));
    }

    private void failBatch(List<PendingRecord> batch, JournalException failure, List<Runnable> completions) {
        for (PendingRecord record : batch) {
            record.bytes.release();
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

    /** LAZY ledgers are forced before closing so that every acknowledged record stays durable. */
    private CompletableFuture<Void> closeLedger(WriteHandle handle) {
        if (config.durability() == Durability.IMMEDIATE) {
            return handle.closeAsync();
        }
        return handle.force()
                .handle((v, error) -> {
                    if (error != null) {
                        JournalException unforced = new JournalException("ledger " + handle.getId() + " of volume "
                                + volumeId + " was closed without a successful force (" + describe(error)
                                + "); records acknowledged in it may not be durable", unwrap(error));
                        LOG.warn("{}", unforced.getMessage());
                        synchronized (lock) {
                            // Nothing outstanding during a close: compare with the last acknowledgement.
                            if (lastAcknowledgedSequence > forceFailureReportedThrough) {
                                unforcedLedger = unforced;
                            }
                        }
                    }
                    return null;
                })
                .thenCompose(v -> handle.closeAsync());
    }

    // ---------------------------------------------------------------- roll-over

    /** Called under the lock with nothing outstanding: replace the current ledger. */
    private void rollOver() {
        rolling = true;
        WriteHandle old = ledger;
        ledger = null;
        CompletableFuture<Void> oldClosed = old == null
                ? CompletableFuture.completedFuture(null)
                : closeLedger(old).handle((v, error) -> {
                    if (error != null) {
                        onOldLedgerCloseFailed(old, unwrap(error));
                    }
                    return null;
                });
        previousLedgerClosed = oldClosed;
        oldClosed.thenCompose(v -> startLedger());
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
