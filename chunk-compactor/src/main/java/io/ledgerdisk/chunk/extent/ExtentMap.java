package io.ledgerdisk.chunk.extent;

import io.ledgerdisk.chunk.format.ChunkFormat;
import io.ledgerdisk.chunk.format.ChunkIndex;
import io.ledgerdisk.chunk.store.ChunkId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Which chunk holds each block of a volume, as non-overlapping runs ({@link Extent}s) in address
 * order. Blocks with no extent were never written (thin provisioning: they read as zeros, or
 * through to a clone's parent).
 *
 * <p>Runs, never per-block entries: a neighbouring run with the same target is merged on every
 * change, so a volume folded into 4 MiB chunks costs one extent per chunk at most, and large
 * zero/trim ranges cost one extent.
 *
 * <p>Dense on the heap: extents are kept in pages of up to {@value #PAGE_MAX} held as parallel
 * primitive arrays (start, end, chunk reference: about {@value #BYTES_PER_EXTENT} bytes per
 * extent) in a sorted map of pages, instead of one map entry and object per extent (about 88
 * bytes). Pages are immutable: a change rebuilds the one or two pages it touches, and
 * {@link #copy()} shares every page, so copying a manifest's map for the next fold costs one
 * map entry per page. {@link #heapBytesEstimate()} reports what the pages hold.
 *
 * <p>Not thread-safe while being changed. {@link #freeze()} makes it read-only, after which it
 * may be shared between threads (a {@code Manifest} holds a frozen map).
 */
public final class ExtentMap {
    /** Most extents in one page. */
    static final int PAGE_MAX = 128;
    /** Extents per page when pages are rebuilt: room for growth before the next split. */
    private static final int PAGE_FILL = 96;
    /** A rebuilt page smaller than this absorbs its right neighbour. */
    private static final int PAGE_MIN = 32;
    /** Heap bytes per extent in a page: start and end (8 + 8) and a chunk reference (4), rounded up. */
    public static final long BYTES_PER_EXTENT = 21;
    /** Heap bytes per page beyond its extents: the page, its three array headers, its map entry and key. */
    static final long BYTES_PER_PAGE = 24 + 3 * 16 + 40 + 16;
    /** Heap bytes per chunk the map references: its {@code ChunkId} and name. */
    public static final long BYTES_PER_CHUNK = 96;

    /** An immutable run of extents, sorted and non-overlapping; never empty. */
    private static final class Page {
        final long[] start;
        final long[] end;
        final ChunkId[] chunk;

        Page(long[] start, long[] end, ChunkId[] chunk) {
            this.start = start;
            this.end = end;
            this.chunk = chunk;
        }

        int size() {
            return start.length;
        }

        /** Index of the last extent starting at or before {@code block}, or -1. */
        int floor(long block) {
            int i = Arrays.binarySearch(start, block);
            return i >= 0 ? i : -i - 2;
        }
    }

    /** A growable list of extents used while rebuilding pages. */
    private static final class Run {
        long[] start;
        long[] end;
        ChunkId[] chunk;
        int n;

        Run(int capacity) {
            start = new long[capacity];
            end = new long[capacity];
            chunk = new ChunkId[capacity];
        }

        void add(long s, long e, ChunkId c) {
            if (n > 0 && end[n - 1] == s && Objects.equals(chunk[n - 1], c)) {
                end[n - 1] = e;
                return;
            }
            if (n == start.length) {
                start = Arrays.copyOf(start, n * 2);
                end = Arrays.copyOf(end, n * 2);
                chunk = Arrays.copyOf(chunk, n * 2);
            }
            start[n] = s;
            end[n] = e;
            chunk[n] = c;
            n++;
        }
    }

    private final TreeMap<Long, Page> pages;
    private int size;
    private boolean frozen;

    public ExtentMap() {
        this.pages = new TreeMap<>();
    }

    private ExtentMap(TreeMap<Long, Page> pages, int size) {
        this.pages = pages;
        this.size = size;
    }

    /** A changeable copy; shares the (immutable) pages. */
    public ExtentMap copy() {
        return new ExtentMap(new TreeMap<>(pages), size);
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
        change(firstBlock, blockCount, chunk, true);
    }

    /** Forgets {@code [firstBlock, firstBlock + blockCount)}: those blocks become unwritten. */
    public void remove(long firstBlock, long blockCount) {
        change(firstBlock, blockCount, null, false);
    }

    /**
     * Lays a newer chunk over this map: every run the chunk's index lists now reads from the
     * chunk (data runs) or as zeros (zero runs).
     */
    public void apply(ChunkId chunk, ChunkIndex index) {
        Run incoming = new Run(Math.max(1, index.runCount()));
        for (int r = 0; r < index.runCount(); r++) {
            boolean zero = index.runFrame(r) == ChunkFormat.ZERO_FRAME;
            long first = index.runFirstBlock(r);
            incoming.add(first, first + index.runBlockCount(r), zero ? null : chunk);
        }
        overlay(incoming);
    }

    /**
     * Lays sorted, non-overlapping runs over the map, as {@link #put} of each in turn would, but
     * rebuilding each touched page once for all the runs that touch it, not once per run: a fold
     * of many small writes lays thousands of runs on a few pages.
     */
    void overlay(long[] start, long[] end, ChunkId[] target, int count) {
        Run incoming = new Run(Math.max(1, count));
        for (int i = 0; i < count; i++) {
            if (end[i] <= start[i] || start[i] < 0 || (i > 0 && start[i] < end[i - 1])) {
                throw new IllegalArgumentException("runs must be non-empty, sorted and non-overlapping; run " + i
                        + " is [" + start[i] + ", " + end[i] + ")");
            }
            incoming.add(start[i], end[i], target[i]);
        }
        overlay(incoming);
    }

    private void overlay(Run incoming) {
        checkChangeable();
        int from = 0;
        while (from < incoming.n) {
            // A cluster: consecutive runs whose pages (with a neighbour on each side) overlap.
            long lo = pageKeyOrMinus1(Math.max(0, incoming.start[from] - 1));
            long hi = pageKeyOrMinus1(incoming.end[from]);
            int to = from + 1;
            while (to < incoming.n && pageKeyOrMinus1(Math.max(0, incoming.start[to] - 1)) <= hi) {
                hi = pageKeyOrMinus1(incoming.end[to]);
                to++;
            }
            List<Page> affected = pagesBetween(lo, hi);
            int capacity = to - from;
            for (Page p : affected) {
                capacity += p.size();
            }
            Run merged = new Run(capacity);
            int j = from;
            long position = Long.MIN_VALUE;
            for (Page p : affected) {
                for (int i = 0; i < p.size(); i++) {
                    // The old extent's part not covered by a new run, with the new runs it meets.
                    long oldFrom = Math.max(p.start[i], position);
                    while (oldFrom < p.end[i]) {
                        if (j < to && incoming.start[j] <= oldFrom) {
                            merged.add(incoming.start[j], incoming.end[j], incoming.chunk[j]);
                            position = incoming.end[j];
                            j++;
                            oldFrom = Math.max(p.start[i], position);
                            continue;
                        }
                        long oldTo = j < to ? Math.min(p.end[i], incoming.start[j]) : p.end[i];
                        merged.add(oldFrom, oldTo, p.chunk[i]);
                        position = oldTo;
                        oldFrom = oldTo;
                    }
                }
            }
            for (; j < to; j++) {
                merged.add(incoming.start[j], incoming.end[j], incoming.chunk[j]);
            }
            replacePages(affected, merged);
            from = to;
        }
    }

    /** The key of the page holding or preceding {@code block}, or -1 when no page starts at or before it. */
    private long pageKeyOrMinus1(long block) {
        Long key = pages.floorKey(block);
        return key == null ? -1 : key;
    }

    /** Pages whose keys lie in [lo, hi]; lo -1 means from the first page, hi -1 means none. */
    private List<Page> pagesBetween(long lo, long hi) {
        List<Page> between = new ArrayList<>();
        if (hi >= 0) {
            between.addAll((lo < 0 ? pages.headMap(hi, true) : pages.subMap(lo, true, hi, true)).values());
        }
        return between;
    }

    /** The extent holding {@code block}, or null if the block was never written. */
    public Extent get(long block) {
        Map.Entry<Long, Page> e = pages.floorEntry(block);
        if (e == null) {
            return null;
        }
        Page p = e.getValue();
        int i = p.floor(block);
        if (i < 0 || p.end[i] <= block) {
            return null;
        }
        return new Extent(p.start[i], p.end[i] - p.start[i], p.chunk[i]);
    }

    /**
     * The extents that overlap {@code [firstBlock, firstBlock + blockCount)}, clipped to it, in
     * address order. Gaps (never-written blocks) are not listed.
     */
    public List<Extent> extentsIn(long firstBlock, long blockCount) {
        List<Extent> out = new ArrayList<>();
        long end = firstBlock + blockCount;
        Long from = pages.floorKey(firstBlock);
        for (Page p : (from == null ? pages : pages.tailMap(from, true)).values()) {
            if (p.start[0] >= end) {
                break;
            }
            for (int i = Math.max(0, p.floor(firstBlock)); i < p.size() && p.start[i] < end; i++) {
                long s = Math.max(p.start[i], firstBlock);
                long t = Math.min(p.end[i], end);
                if (t > s) {
                    out.add(new Extent(s, t - s, p.chunk[i]));
                }
            }
        }
        return out;
    }

    /** Visits every extent in address order. */
    public void forEach(Consumer<Extent> visitor) {
        for (Page p : pages.values()) {
            for (int i = 0; i < p.size(); i++) {
                visitor.accept(new Extent(p.start[i], p.end[i] - p.start[i], p.chunk[i]));
            }
        }
    }

    /** Every extent in address order, as a new list. */
    public List<Extent> toList() {
        List<Extent> out = new ArrayList<>(size);
        forEach(out::add);
        return out;
    }

    /** Number of extents (runs) held. */
    public int size() {
        return size;
    }

    /** One past the last mapped block, or 0 if nothing is mapped. */
    public long endBlock() {
        if (pages.isEmpty()) {
            return 0;
        }
        Page last = pages.lastEntry().getValue();
        return last.end[last.size() - 1];
    }

    /** Blocks that have an extent (data or zeros). */
    public long mappedBlocks() {
        long n = 0;
        for (Page p : pages.values()) {
            for (int i = 0; i < p.size(); i++) {
                n += p.end[i] - p.start[i];
            }
        }
        return n;
    }

    /** For each chunk the map reaches, how many blocks read from it (its live data). */
    public Map<ChunkId, Long> liveBlocksByChunk() {
        Map<ChunkId, Long> live = new HashMap<>();
        for (Page p : pages.values()) {
            for (int i = 0; i < p.size(); i++) {
                if (p.chunk[i] != null) {
                    live.merge(p.chunk[i], p.end[i] - p.start[i], Long::sum);
                }
            }
        }
        return live;
    }

    /** Every chunk some extent reads from. */
    public Set<ChunkId> referencedChunks() {
        Set<ChunkId> out = new HashSet<>();
        for (Page p : pages.values()) {
            for (ChunkId c : p.chunk) {
                if (c != null) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    /**
     * Heap bytes this map holds: its pages ({@value #BYTES_PER_EXTENT} bytes per extent plus
     * about 130 per page) and the chunk ids it references (counted once each, though manifests
     * and maps share them). Exact enough to size caches and to check the 64 MiB per TiB budget.
     */
    public long heapBytesEstimate() {
        Set<ChunkId> chunks = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Page p : pages.values()) {
            for (ChunkId c : p.chunk) {
                if (c != null) {
                    chunks.add(c);
                }
            }
        }
        return 64 + size * BYTES_PER_EXTENT + pages.size() * BYTES_PER_PAGE + chunks.size() * BYTES_PER_CHUNK;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExtentMap other && size == other.size && toList().equals(other.toList());
    }

    @Override
    public int hashCode() {
        return toList().hashCode();
    }

    @Override
    public String toString() {
        return "ExtentMap" + toList();
    }

    private void checkChangeable() {
        if (frozen) {
            throw new IllegalStateException("this extent map belongs to a manifest and is read-only; change a copy()");
        }
    }

    /**
     * Replaces {@code [first, first + count)} by one extent (insert) or by nothing: collects the
     * pages that hold or border the range, rebuilds them from a merged run list, and puts the
     * rebuilt pages back.
     */
    private void change(long first, long count, ChunkId chunk, boolean insert) {
        checkChangeable();
        if (first < 0 || count < 1) {
            throw new IllegalArgumentException("bad range: first block " + first + ", " + count + " blocks");
        }
        long end = first + count;
        // Pages from the one holding block first-1 (a left neighbour to merge with) to the one
        // holding block end (a right neighbour).
        List<Page> affected = pagesBetween(pageKeyOrMinus1(Math.max(0, first - 1)), pageKeyOrMinus1(end));
        int capacity = 3;
        for (Page p : affected) {
            capacity += p.size();
        }
        Run run = new Run(capacity);
        boolean inserted = false;
        for (Page p : affected) {
            for (int i = 0; i < p.size(); i++) {
                long s = p.start[i];
                long e = p.end[i];
                if (e <= first || s >= end) {
                    if (s >= end && insert && !inserted) {
                        run.add(first, end, chunk);
                        inserted = true;
                    }
                    run.add(s, e, p.chunk[i]);
                    continue;
                }
                if (s < first) {
                    run.add(s, first, p.chunk[i]);
                }
                if (insert && !inserted) {
                    run.add(first, end, chunk);
                    inserted = true;
                }
                if (e > end) {
                    run.add(end, e, p.chunk[i]);
                }
            }
        }
        if (insert && !inserted) {
            run.add(first, end, chunk);
        }
        replacePages(affected, run);
    }

    /** Puts {@code run} (already merged) in place of the {@code affected} pages, cut into new pages. */
    private void replacePages(List<Page> affected, Run run) {
        for (Page p : affected) {
            pages.remove(p.start[0]);
            size -= p.size();
        }
        // A small result absorbs the next page so pages do not shrink to a few extents each.
        if (run.n < PAGE_MIN && run.n > 0) {
            Map.Entry<Long, Page> next = pages.higherEntry(run.start[run.n - 1]);
            if (next != null) {
                Page p = next.getValue();
                pages.remove(next.getKey());
                size -= p.size();
                for (int i = 0; i < p.size(); i++) {
                    run.add(p.start[i], p.end[i], p.chunk[i]);
                }
            }
        }
        for (int from = 0; from < run.n; ) {
            int n = Math.min(run.n - from, run.n - from <= PAGE_MAX ? PAGE_MAX : PAGE_FILL);
            Page p = new Page(Arrays.copyOfRange(run.start, from, from + n), Arrays.copyOfRange(run.end, from, from + n),
                    Arrays.copyOfRange(run.chunk, from, from + n));
            pages.put(p.start[0], p);
            size += n;
            from += n;
        }
    }
}
