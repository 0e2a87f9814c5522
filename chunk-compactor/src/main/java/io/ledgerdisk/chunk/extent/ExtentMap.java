package io.ledgerdisk.chunk.extent;

import io.ledgerdisk.chunk.format.ChunkFormat;
import io.ledgerdisk.chunk.format.ChunkIndex;
import io.ledgerdisk.chunk.store.ChunkId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Which chunk holds each block of a volume, as non-overlapping runs ({@link Extent}s) keyed by
 * first block. Blocks with no extent were never written (thin provisioning: they read as zeros,
 * or through to a clone's parent).
 *
 * <p>Runs, never per-block entries: a neighbouring run with the same target is merged on every
 * change, so a volume folded into 4 MiB chunks costs one extent per chunk at most (about 23 MiB
 * per TiB, see {@link #heapBytesEstimate()}), and large zero/trim ranges cost one extent.
 *
 * <p>Not thread-safe while being changed. {@link #freeze()} makes it read-only, after which it
 * may be shared between threads (a {@code Manifest} holds a frozen map).
 */
public final class ExtentMap {
    /**
     * Heap bytes per extent with compressed oops: TreeMap entry (40) + boxed Long key (16) +
     * Extent record (32). Chunk ids are shared objects, counted once per chunk.
     */
    public static final long BYTES_PER_EXTENT = 88;
    static final long BYTES_PER_CHUNK = 96;

    private final TreeMap<Long, Extent> runs;
    private boolean frozen;

    public ExtentMap() {
        this.runs = new TreeMap<>();
    }

    private ExtentMap(TreeMap<Long, Extent> runs) {
        this.runs = runs;
    }

    /** A changeable copy. */
    public ExtentMap copy() {
        return new ExtentMap(new TreeMap<>(runs));
    }

    /** Makes this map read-only; later changes throw {@link IllegalStateException}. */
    public ExtentMap freeze() {
        frozen = true;
        return this;
    }

    public boolean isFrozen() {
        return frozen;
    }

    /**
     * Points {@code [firstBlock, firstBlock + blockCount)} at {@code chunk} (or at zeros when
     * {@code chunk} is null), replacing whatever those blocks pointed at before: the newer
     * write wins.
     */
    public void put(long firstBlock, long blockCount, ChunkId chunk) {
        checkChangeable();
        if (firstBlock < 0 || blockCount < 1) {
            throw new IllegalArgumentException("bad range: first block " + firstBlock + ", " + blockCount + " blocks");
        }
        long end = firstBlock + blockCount;
        cut(firstBlock, end);
        long first = firstBlock;
        long last = end;
        Map.Entry<Long, Extent> left = runs.lowerEntry(firstBlock);
        if (left != null && left.getValue().endBlock() == firstBlock && Objects.equals(left.getValue().chunk(), chunk)) {
            first = left.getKey();
            runs.remove(left.getKey());
        }
        Extent right = runs.get(end);
        if (right != null && Objects.equals(right.chunk(), chunk)) {
            last = right.endBlock();
            runs.remove(end);
        }
        runs.put(first, new Extent(first, last - first, chunk));
    }

    /** Forgets {@code [firstBlock, firstBlock + blockCount)}: those blocks become unwritten. */
    public void remove(long firstBlock, long blockCount) {
        checkChangeable();
        cut(firstBlock, firstBlock + blockCount);
    }

    /**
     * Lays a newer chunk over this map: every run the chunk's index lists now reads from the
     * chunk (data runs) or as zeros (zero runs).
     */
    public void apply(ChunkId chunk, ChunkIndex index) {
        for (int r = 0; r < index.runCount(); r++) {
            boolean zero = index.runFrame(r) == ChunkFormat.ZERO_FRAME;
            put(index.runFirstBlock(r), index.runBlockCount(r), zero ? null : chunk);
        }
    }

    /** The extent holding {@code block}, or null if the block was never written. */
    public Extent get(long block) {
        Map.Entry<Long, Extent> e = runs.floorEntry(block);
        if (e == null || e.getValue().endBlock() <= block) {
            return null;
        }
        return e.getValue();
    }

    /**
     * The extents that overlap {@code [firstBlock, firstBlock + blockCount)}, clipped to it, in
     * address order. Gaps (never-written blocks) are not listed.
     */
    public List<Extent> extentsIn(long firstBlock, long blockCount) {
        List<Extent> out = new ArrayList<>();
        long end = firstBlock + blockCount;
        Map.Entry<Long, Extent> floor = runs.floorEntry(firstBlock);
        Long from = floor != null && floor.getValue().endBlock() > firstBlock ? floor.getKey() : Long.valueOf(firstBlock);
        for (Extent e : runs.subMap(from, true, end, false).values()) {
            long s = Math.max(e.firstBlock(), firstBlock);
            long t = Math.min(e.endBlock(), end);
            if (t > s) {
                out.add(s == e.firstBlock() && t == e.endBlock() ? e : new Extent(s, t - s, e.chunk()));
            }
        }
        return out;
    }

    /** Visits every extent in address order. */
    public void forEach(Consumer<Extent> visitor) {
        runs.values().forEach(visitor);
    }

    /** Number of extents (runs) held. */
    public int size() {
        return runs.size();
    }

    /** Blocks that have an extent (data or zeros). */
    public long mappedBlocks() {
        long n = 0;
        for (Extent e : runs.values()) {
            n += e.blockCount();
        }
        return n;
    }

    /** For each chunk the map reaches, how many blocks read from it (its live data). */
    public Map<ChunkId, Long> liveBlocksByChunk() {
        Map<ChunkId, Long> live = new HashMap<>();
        for (Extent e : runs.values()) {
            if (e.chunk() != null) {
                live.merge(e.chunk(), e.blockCount(), Long::sum);
            }
        }
        return live;
    }

    /** Every chunk some extent reads from. */
    public Set<ChunkId> referencedChunks() {
        Set<ChunkId> out = new HashSet<>();
        for (Extent e : runs.values()) {
            if (e.chunk() != null) {
                out.add(e.chunk());
            }
        }
        return out;
    }

    /**
     * Heap bytes this map holds, estimated from its extent and chunk counts (88 bytes per
     * extent with compressed oops, plus the shared chunk ids). Exact enough to size caches and
     * to check the 64 MiB per TiB budget.
     */
    public long heapBytesEstimate() {
        return 64 + runs.size() * BYTES_PER_EXTENT + referencedChunks().size() * BYTES_PER_CHUNK;
    }

    /** The map's extents in address order, as a read-only view. */
    public NavigableMap<Long, Extent> asMap() {
        return java.util.Collections.unmodifiableNavigableMap(runs);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExtentMap other && runs.equals(other.runs);
    }

    @Override
    public int hashCode() {
        return runs.hashCode();
    }

    @Override
    public String toString() {
        return "ExtentMap" + runs.values();
    }

    private void checkChangeable() {
        if (frozen) {
            throw new IllegalStateException("this extent map belongs to a manifest and is read-only; change a copy()");
        }
    }

    /** Removes {@code [first, end)} from the map, trimming runs that stick out on either side. */
    private void cut(long first, long end) {
        Map.Entry<Long, Extent> floor = runs.floorEntry(first);
        if (floor != null && floor.getKey() < first && floor.getValue().endBlock() > first) {
            Extent e = floor.getValue();
            runs.put(e.firstBlock(), new Extent(e.firstBlock(), first - e.firstBlock(), e.chunk()));
            if (e.endBlock() > end) {
                runs.put(end, new Extent(end, e.endBlock() - end, e.chunk()));
            }
        }
        // Runs starting inside [first, end): walked with ceilingEntry, cheaper than a subMap view.
        Map.Entry<Long, Extent> next = runs.ceilingEntry(first);
        while (next != null && next.getKey() < end) {
            Extent e = next.getValue();
            runs.remove(next.getKey());
            if (e.endBlock() > end) {
                runs.put(end, new Extent(end, e.endBlock() - end, e.chunk()));
                break;
            }
            next = runs.ceilingEntry(e.endBlock());
        }
    }
}
