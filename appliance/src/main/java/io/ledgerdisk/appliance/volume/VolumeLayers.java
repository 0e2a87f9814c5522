package io.ledgerdisk.appliance.volume;

import io.ledgerdisk.chunk.manifest.Manifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What a volume's bytes are made of, newest on top: the active memtable (takes new writes), a
 * frozen memtable being folded (if any), and the committed manifest (chunks) at the bottom.
 *
 * <p>The invariant that makes folding safe: a frozen memtable leaves only after the manifest
 * that contains it is committed, and in the same step ({@link #install}). Readers take a
 * {@link Snapshot} so that one read sees one consistent stack even while a fold commits.
 *
 * <p>Writes are routed by sequence number: a record at or below the newest freeze cut goes to
 * the frozen memtable of its range, so layers never disagree about which write is newer.
 * Thread-safe.
 */
public final class VolumeLayers {

    /** A memtable closed for writes: every record in it has a sequence in (previous cut, cutSequence]. */
    public record Frozen(Memtable memtable, long cutSequence) {
    }

    /** One consistent view for a read: the manifest, then memtables from oldest to newest. */
    public record Snapshot(Manifest manifest, List<Memtable> memtables) {
    }

    private final Object lock = new Object();
    private Manifest manifest;
    private final List<Frozen> frozen = new ArrayList<>();
    private Memtable active = new Memtable();
    private long appliedSequence;
    private long activeSinceNanos;
    private volatile Snapshot snapshot;
    private final List<CompletableFuture<Void>> spaceWaiters = new ArrayList<>();
    private final long maxBufferedBytes;

    /**
     * @param manifest         the committed manifest the volume starts from
     * @param maxBufferedBytes payload bytes the memtables may hold before writes wait for a fold
     */
    public VolumeLayers(Manifest manifest, long maxBufferedBytes) {
        this.manifest = manifest;
        this.maxBufferedBytes = maxBufferedBytes;
        this.appliedSequence = manifest.coveredSequence();
        publish();
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    public Manifest manifest() {
        return snapshot.manifest();
    }

    /** Applies an acknowledged write. */
    public void write(long offset, byte[] data, long sequence) {
        synchronized (lock) {
            target(sequence).write(offset, data, sequence);
        }
    }

    /** Applies an acknowledged trim or write-zeroes. */
    public void zero(long offset, long length, long sequence) {
        synchronized (lock) {
            target(sequence).zero(offset, length, sequence);
        }
    }

    /**
     * The memtable to fold next: the oldest frozen one if a previous fold did not finish, else
     * the active memtable, frozen now. Empty when there is nothing to fold.
     */
    public Optional<Frozen> freeze() {
        synchronized (lock) {
            if (!frozen.isEmpty()) {
                return Optional.of(frozen.get(0));
            }
            if (active.isEmpty()) {
                return Optional.empty();
            }
            Frozen closed = new Frozen(active, Math.max(appliedSequence, active.maxSequence()));
            frozen.add(closed);
            active = new Memtable();
            activeSinceNanos = 0;
            publish();
            return Optional.of(closed);
        }
    }

    /** Makes {@code next} (which contains {@code folded}) the volume's manifest and drops {@code folded}. */
    public void install(Manifest next, Frozen folded) {
        List<CompletableFuture<Void>> woken;
        synchronized (lock) {
            if (folded != null && (frozen.isEmpty() || frozen.get(0) != folded)) {
                throw new IllegalStateException("only the oldest frozen memtable can be dropped");
            }
            if (next.coveredSequence() < manifest.coveredSequence()) {
                throw new IllegalStateException("manifest " + next.version() + " covers less of the log than the current one");
            }
            manifest = next;
            if (folded != null) {
                frozen.remove(0);
            }
            publish();
            woken = takeSpaceWaiters();
        }
        woken.forEach(w -> w.complete(null));
    }

    /** Payload bytes held in memory (active and frozen memtables). */
    public long bufferedBytes() {
        synchronized (lock) {
            return bufferedBytesLocked();
        }
    }

    /** How long the active memtable has held writes, 0 when it is empty. */
    public long activeAgeNanos() {
        synchronized (lock) {
            return activeSinceNanos == 0 ? 0 : System.nanoTime() - activeSinceNanos;
        }
    }

    /** Completes when the memtables hold less than the buffer bound (at once if they do). */
    public CompletableFuture<Void> whenSpace() {
        synchronized (lock) {
            if (bufferedBytesLocked() < maxBufferedBytes) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> waiter = new CompletableFuture<>();
            spaceWaiters.add(waiter);
            return waiter;
        }
    }

    public boolean isFull() {
        synchronized (lock) {
            return bufferedBytesLocked() >= maxBufferedBytes;
        }
    }

    private long bufferedBytesLocked() {
        long bytes = active.dataBytes();
        for (Frozen f : frozen) {
            bytes += f.memtable().dataBytes();
        }
        return bytes;
    }

    private List<CompletableFuture<Void>> takeSpaceWaiters() {
        if (spaceWaiters.isEmpty() || bufferedBytesLocked() >= maxBufferedBytes) {
            return List.of();
        }
        List<CompletableFuture<Void>> woken = new ArrayList<>(spaceWaiters);
        spaceWaiters.clear();
        return woken;
    }

    private Memtable target(long sequence) {
        appliedSequence = Math.max(appliedSequence, sequence);
        for (Frozen f : frozen) {
            if (sequence <= f.cutSequence()) {
                return f.memtable();
            }
        }
        if (activeSinceNanos == 0) {
            activeSinceNanos = System.nanoTime();
        }
        return active;
    }

    private void publish() {
        List<Memtable> memtables = new ArrayList<>(frozen.size() + 1);
        frozen.forEach(f -> memtables.add(f.memtable()));
        memtables.add(active);
        snapshot = new Snapshot(manifest, List.copyOf(memtables));
    }
}
