package io.ledgerdisk.chunk.compaction;

import io.ledgerdisk.chunk.format.ChunkFormat;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;

/**
 * The blocks of one fold, newest write winning, as non-overlapping pieces keyed by first block.
 * A piece is a run of blocks backed by a view of a record's payload (not a copy: the fold
 * copies each byte once, into the chunk writer's frame), or a run of zeros with no bytes at all,
 * so a 1 TiB trim costs one entry and a 1 MiB write one view.
 *
 * <p>Not thread-safe; owned by one fold.
 */
final class FoldTable {
    /** A run of blocks: {@code data == null} means zeros; else the blocks are data[0 ..]. */
    record Piece(long firstBlock, long blockCount, ByteBuffer data) {
        long endBlock() {
            return firstBlock + blockCount;
        }
    }

    private final TreeMap<Long, Piece> pieces = new TreeMap<>();
    private long dataBlocks;

    /**
     * Lays blocks {@code [first, first+count)} over the table, read from {@code data} at
     * absolute index 0 onwards (not copied: it must stay valid while the table is used), or
     * zeros when {@code data} is null.
     */
    void put(long first, long count, ByteBuffer data) {
        long end = first + count;
        Map.Entry<Long, Piece> floor = pieces.floorEntry(first);
        if (floor != null && floor.getKey() < first && floor.getValue().endBlock() > first) {
            Piece p = floor.getValue();
            replace(p, slice(p, p.firstBlock, first));
            if (p.endBlock() > end) {
                add(slice(p, end, p.endBlock()));
            }
        }
        // Pieces starting inside [first, end): walked with ceilingEntry, cheaper than a subMap view.
        Map.Entry<Long, Piece> next = pieces.ceilingEntry(first);
        while (next != null && next.getKey() < end) {
            Piece p = next.getValue();
            pieces.remove(next.getKey());
            if (p.data != null) {
                dataBlocks -= p.blockCount;
            }
            if (p.endBlock() > end) {
                add(slice(p, end, p.endBlock()));
                break;
            }
            next = pieces.ceilingEntry(p.endBlock());
        }
        add(new Piece(first, count, data));
    }

    /**
     * Copies the current content of {@code block} into {@code dst[0..4096)} and returns true,
     * or returns false if no record of this fold touched the block yet.
     */
    boolean copyBlock(long block, byte[] dst) {
        Map.Entry<Long, Piece> e = pieces.floorEntry(block);
        if (e == null || e.getValue().endBlock() <= block) {
            return false;
        }
        Piece p = e.getValue();
        if (p.data == null) {
            java.util.Arrays.fill(dst, 0, ChunkFormat.BLOCK_SIZE, (byte) 0);
        } else {
            int at = (int) ((block - p.firstBlock) << ChunkFormat.BLOCK_SHIFT);
            p.data.get(at, dst, 0, ChunkFormat.BLOCK_SIZE);
        }
        return true;
    }

    /** The pieces in address order. */
    Iterable<Piece> pieces() {
        return pieces.values();
    }

    /** Blocks backed by data (not zeros). */
    long dataBlocks() {
        return dataBlocks;
    }

    boolean isEmpty() {
        return pieces.isEmpty();
    }

    private void add(Piece p) {
        pieces.put(p.firstBlock, p);
        if (p.data != null) {
            dataBlocks += p.blockCount;
        }
    }

    private void replace(Piece old, Piece shorter) {
        if (old.data != null) {
            dataBlocks -= old.blockCount - shorter.blockCount;
        }
        pieces.put(shorter.firstBlock, shorter);
    }

    private static Piece slice(Piece p, long from, long to) {
        if (p.data == null) {
            return new Piece(from, to - from, null);
        }
        int offset = (int) ((from - p.firstBlock) << ChunkFormat.BLOCK_SHIFT);
        return new Piece(from, to - from, p.data.slice(offset, (int) ((to - from) << ChunkFormat.BLOCK_SHIFT)));
    }
}
