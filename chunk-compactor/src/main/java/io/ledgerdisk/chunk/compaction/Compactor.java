package io.ledgerdisk.chunk.compaction;

import io.ledgerdisk.chunk.extent.ExtentMap;
import io.ledgerdisk.chunk.format.ChunkFormat;
import io.ledgerdisk.chunk.format.ChunkHeader;
import io.ledgerdisk.chunk.format.WrittenChunk;
import io.ledgerdisk.chunk.manifest.ChunkDescriptor;
import io.ledgerdisk.chunk.manifest.Manifest;
import io.ledgerdisk.chunk.manifest.ManifestReader;
import io.ledgerdisk.journal.record.LogRecord;
import io.ledgerdisk.journal.record.RecordType;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fold: turns a volume's log records {@code (fromSequence, toSequence]} plus its current
 * manifest into new chunk files and the next manifest version.
 *
 * <p>Records are applied in sequence order, so the newest write of a block wins. Chunks hold
 * whole 4 KiB blocks only: a record that covers part of a block is merged into that block's
 * current content (read-modify-write), taken from earlier records of the same fold or else
 * read through the previous manifest. Read-modify-write, rather than storing byte-exact
 * ranges, keeps the chunk format and the read path simple (a block lives in exactly one
 * chunk); unaligned writes are rare (NBD clients write whole 512-byte sectors, and 4 KiB
 * filesystems whole blocks) and cost one extra block read per unaligned edge at fold time.
 * {@code ZERO} and {@code TRIM} records become zero runs: no data, and whole-block ranges
 * of any size cost one extent.
 *
 * <p>The result is not committed: see {@link FoldResult}. Chunks written by a fold whose
 * manifest never commits are orphans that {@link ChunkGarbageCollector} removes.
 *
 * <p>Thread-safe: folds of different volumes may run concurrently. The CPU work (copying,
 * LZ4, CRC32C) runs on the given executor.
 */
public final class Compactor {
    private static final Logger LOG = LoggerFactory.getLogger(Compactor.class);
    private static final int BS = ChunkFormat.BLOCK_SIZE;

    private final ManifestReader reader;
    private final CompactionConfig config;
    private final Executor cpu;
    private final LongSupplier clockMicros;
    private final ChunkFileBufferPool chunkBuffers;

    /**
     * @param reader reads the previous manifest's blocks (for unaligned records) and gives the
     *     store chunks are written to
     * @param config chunk size and merge settings
     * @param cpu where copying and compression run (a fold is CPU-bound: one core per fold)
     * @param clockMicros the time stamped into chunks and manifests
     */
    public Compactor(ManifestReader reader, CompactionConfig config, Executor cpu, LongSupplier clockMicros) {
        this.reader = Objects.requireNonNull(reader, "reader");
        this.config = Objects.requireNonNull(config, "config");
        this.cpu = Objects.requireNonNull(cpu, "cpu");
        this.clockMicros = Objects.requireNonNull(clockMicros, "clockMicros");
        this.chunkBuffers = ChunkSink.bufferPool(config.targetChunkBlocks());
    }

    /**
     * Folds {@code records} (every record of the volume with a sequence in
     * {@code (base.coveredSequence(), toSequence]}, in any order) over {@code base}. Several
     * records may share a sequence when they are the non-overlapping remains of one write that
     * newer writes split (as a memtable holds them); newer sequences win where records overlap.
     *
     * <p>The records' payloads must stay valid until the returned future completes.
     *
     * @return the next manifest (version + 1, covered sequence {@code toSequence}) and the
     *     chunks written; not committed
     * @throws IllegalArgumentException if a record belongs to another volume or lies outside
     *     the range
     */
    public CompletableFuture<FoldResult> fold(Manifest base, List<LogRecord> records, long toSequence) {
        Objects.requireNonNull(base, "base");
        long fromSequence = base.coveredSequence();
        if (toSequence < fromSequence) {
            throw new IllegalArgumentException("cannot fold volume " + base.volumeId() + " up to sequence " + toSequence
                    + ": its manifest already covers " + fromSequence);
        }
        List<LogRecord> sorted = new ArrayList<>(records);
        sorted.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
        for (LogRecord r : sorted) {
            if (r.volumeId() != base.volumeId() || r.sequence() <= fromSequence || r.sequence() > toSequence) {
                throw new IllegalArgumentException("record " + r.volumeId() + "/" + r.sequence() + " does not belong in the"
                        + " fold of volume " + base.volumeId() + " range (" + fromSequence + ", " + toSequence
                        + "] (other volume, or out of range)");
            }
        }
        Set<Long> partial = partialBlocks(sorted);
        return readBaseBlocks(base, partial).thenApplyAsync(baseBlocks -> {
            FoldTable table = new FoldTable();
            long logical = 0;
            for (LogRecord r : sorted) {
                apply(table, r, baseBlocks);
                logical += r.length();
            }
            ChunkSink sink = new ChunkSink(reader.store(),
                    new ChunkHeader(base.volumeId(), fromSequence, toSequence, clockMicros.getAsLong()),
                    config.targetChunkBlocks(), chunkBuffers);
            for (FoldTable.Piece p : table.pieces()) {
                if (p.data() == null) {
                    sink.writeZeros(p.firstBlock(), p.blockCount());
                } else {
                    sink.writeBlocks(p.firstBlock(), p.data(), p.blockCount());
                }
            }
            long folded = logical;
            return sink.finish().thenApply(written -> {
                Manifest next = nextManifest(base, toSequence, written, sink.looseZeros());
                written.forEach(reader::add);
                LOG.debug("Folded {} records ({} bytes) of volume {} ({}, {}] into {} chunks", sorted.size(), folded,
                        base.volumeId(), fromSequence, toSequence, written.size());
                return new FoldResult(next, written, folded);
            });
        }, cpu).thenCompose(f -> f);
    }

    /**
     * The manifest after laying {@code written} (and loose zero ranges) over {@code base}:
     * version + 1, chunks no longer reached dropped from the list (they stay in the store
     * until garbage collection, since older versions and snapshots may reach them).
     */
    Manifest nextManifest(Manifest base, long coveredSequence, List<WrittenChunk> written, List<long[]> looseZeros) {
        ExtentMap extents = base.extents().copy();
        for (WrittenChunk w : written) {
            extents.apply(w.id(), w.index());
        }
        for (long[] z : looseZeros) {
            extents.put(z[0], z[1], null);
        }
        Set<io.ledgerdisk.chunk.store.ChunkId> reached = extents.referencedChunks();
        List<ChunkDescriptor> chunks = new ArrayList<>();
        for (ChunkDescriptor c : base.chunks()) {
            if (reached.contains(c.id())) {
                chunks.add(c);
            }
        }
        for (WrittenChunk w : written) {
            if (reached.contains(w.id())) {
                chunks.add(new ChunkDescriptor(w.id(), w.length(), w.index().dataBlocks(), w.header().fromSequence(),
                        w.header().toSequence()));
            }
        }
        return new Manifest(base.volumeId(), base.version() + 1, chunks, extents, coveredSequence, clockMicros.getAsLong());
    }

    /** Blocks that some record covers only in part, so their earlier content is needed. */
    private static Set<Long> partialBlocks(List<LogRecord> records) {
        Set<Long> partial = new TreeSet<>();
        for (LogRecord r : records) {
            if (r.length() == 0) {
                continue;
            }
            long end = r.offset() + r.length();
            if ((r.offset() & (BS - 1)) != 0 || end - r.offset() < BS) {
                partial.add(r.offset() >>> ChunkFormat.BLOCK_SHIFT);
            }
            if ((end & (BS - 1)) != 0) {
                partial.add((end - 1) >>> ChunkFormat.BLOCK_SHIFT);
            }
        }
        return partial;
    }

    private CompletableFuture<Map<Long, byte[]>> readBaseBlocks(Manifest base, Set<Long> blocks) {
        Map<Long, byte[]> out = new HashMap<>();
        List<CompletableFuture<Void>> reads = new ArrayList<>();
        for (long block : blocks) {
            byte[] b = new byte[BS];
            out.put(block, b);
            reads.add(reader.readBlocks(base, block, 1, b, 0));
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(v -> out);
    }

    /** Lays one record over the table: whole blocks directly, partial edges by read-modify-write. */
    private static void apply(FoldTable table, LogRecord r, Map<Long, byte[]> baseBlocks) {
        if (r.length() == 0) {
            return;
        }
        long start = r.offset();
        long end = start + r.length();
        long firstFull = (start + BS - 1) >>> ChunkFormat.BLOCK_SHIFT;
        long endFull = end >>> ChunkFormat.BLOCK_SHIFT;
        boolean zeros = r.type() != RecordType.WRITE;
        ByteBuf payload = r.payload();
        int base = payload.readerIndex();
        if (endFull > firstFull) {
            long count = endFull - firstFull;
            if (zeros) {
                table.put(firstFull, count, null);
            } else {
                // A view of the payload, not a copy: the bytes are copied once, into the chunk frame.
                int from = base + (int) ((firstFull << ChunkFormat.BLOCK_SHIFT) - start);
                table.put(firstFull, count, payload.nioBuffer(from, Math.toIntExact(count * BS)).slice());
            }
        }
        // Partial blocks at the head and tail (one block if the record lies inside a single block).
        long headBlock = start >>> ChunkFormat.BLOCK_SHIFT;
        long tailBlock = (end - 1) >>> ChunkFormat.BLOCK_SHIFT;
        if (endFull <= firstFull || (start & (BS - 1)) != 0) {
            patch(table, r, headBlock, baseBlocks, zeros, base);
        }
        if (tailBlock != headBlock && (end & (BS - 1)) != 0) {
            patch(table, r, tailBlock, baseBlocks, zeros, base);
        }
    }

    private static void patch(FoldTable table, LogRecord r, long block, Map<Long, byte[]> baseBlocks, boolean zeros,
            int payloadBase) {
        byte[] content = new byte[BS];
        if (!table.copyBlock(block, content)) {
            byte[] old = baseBlocks.get(block);
            System.arraycopy(old, 0, content, 0, BS);
        }
        long blockStart = block << ChunkFormat.BLOCK_SHIFT;
        long from = Math.max(blockStart, r.offset());
        long to = Math.min(blockStart + BS, r.offset() + r.length());
        int at = (int) (from - blockStart);
        int len = (int) (to - from);
        if (zeros) {
            java.util.Arrays.fill(content, at, at + len, (byte) 0);
        } else {
            r.payload().getBytes(payloadBase + (int) (from - r.offset()), content, at, len);
        }
        table.put(block, 1, java.nio.ByteBuffer.wrap(content));
    }
}
