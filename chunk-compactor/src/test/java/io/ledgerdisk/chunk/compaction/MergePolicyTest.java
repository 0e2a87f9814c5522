package io.ledgerdisk.chunk.compaction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ledgerdisk.chunk.manifest.ChunkDescriptor;
import io.ledgerdisk.chunk.manifest.Manifest;
import io.ledgerdisk.chunk.manifest.ManifestReader;
import io.ledgerdisk.chunk.store.MemoryChunkStore;
import io.ledgerdisk.journal.record.LogRecord;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MergePolicyTest {
    private final MemoryChunkStore store = new MemoryChunkStore();
    private final ManifestReader reader = new ManifestReader(store, 256);
    private final AtomicLong clock = new AtomicLong(1_000_000);

    @AfterEach
    void closeStore() {
        store.close();
    }

    /**
     * Seeded random 4 KiB overwrites, folded and merged to quiescence after every fold. After each
     * merge: the content is the model's, stored ≤ 1.5 × live, the map within budget. Bytes copied
     * are bounded: a space pass copies at most 2 live blocks per dead block it frees (the greediest
     * victim is at least ⅓ dead while the sum is over 1.5×), and dead blocks come only from client
     * overwrites and from blocks other passes moved away, so space ≤ 2 × (client + extent + small).
     */
    @Test
    void randomOverwritesStayWithinSpaceAndMapBoundsAndCopiesAreBounded() {
        CompactionConfig config = CompactionConfig.defaults().withTargetChunkBytes(64 * 1024).withExtentMapBytesPerTiB(0);
        Compactor folds = new Compactor(reader, config, Runnable::run, clock::incrementAndGet);
        ChunkMerger merger = new ChunkMerger(reader, config, Runnable::run, clock::incrementAndGet);
        MergePolicy policy = merger.policy();
        int volumeBytes = 8 << 20;
        VolumeModel volume = new VolumeModel(3, volumeBytes);
        Random random = new Random(17);
        Manifest m = folds.fold(Manifest.empty(3, 0), List.of(volume.write(0, VolumeModel.randomData(random, volumeBytes))),
                volume.sequence()).join().manifest();
        long clientBlocks = 0;
        Map<MergePolicy.Reason, Long> copied = new EnumMap<>(MergePolicy.Reason.class);
        for (MergePolicy.Reason r : MergePolicy.Reason.values()) {
            copied.put(r, 0L);
        }
        for (int fold = 0; fold < 12; fold++) {
            List<LogRecord> records = new ArrayList<>();
            // Skewed: half the writes go to the first eighth of the volume, so chunks age unevenly.
            for (int i = 0; i < 300; i++) {
                int blocks = volumeBytes / 4096;
                long block = random.nextBoolean() ? random.nextInt(blocks / 8) : random.nextInt(blocks);
                records.add(volume.write(block * 4096, VolumeModel.randomData(random, 4096)));
                clientBlocks++;
            }
            m = folds.fold(m, records, volume.sequence()).join().manifest();
            int passes = 0;
            while (true) {
                MergePolicy.Plan plan = policy.plan(m);
                Optional<FoldResult> merged = merger.merge(m).join();
                if (plan == null) {
                    assertTrue(merged.isEmpty());
                    break;
                }
                assertEquals(plan.liveBlocks() * 4096, merged.get().logicalBytes());
                copied.merge(plan.reason(), plan.liveBlocks(), Long::sum);
                m = merged.get().manifest();
                assertTrue(++passes < 50, "merging must converge");
            }
            assertArrayEquals(volume.bytes, readAll(m, volumeBytes), "after fold " + fold);
            long live = m.extents().liveBlocksByChunk().values().stream().mapToLong(Long::longValue).sum();
            long stored = m.chunks().stream().mapToLong(ChunkDescriptor::dataBlocks).sum();
            assertTrue(stored <= 1.5 * live, "fold " + fold + ": stored " + stored + " blocks for " + live + " live");
            assertTrue(m.extents().heapBytesEstimate() <= policy.extentMapBudget(m.extents()),
                    "fold " + fold + ": map " + m.extents().heapBytesEstimate() + " bytes");
            assertTrue(policy.smallChunks(m).isEmpty());
        }
        long space = copied.get(MergePolicy.Reason.SPACE);
        long extent = copied.get(MergePolicy.Reason.EXTENT_MAP);
        long small = copied.get(MergePolicy.Reason.SMALL_CHUNKS);
        assertTrue(space > 0, "the overwrites leave garbage worth cleaning: " + copied);
        assertTrue(space <= 2 * (clientBlocks + extent + small), "space passes copied " + space + " blocks for "
                + clientBlocks + " client blocks: " + copied);
        // Tiered small merges copy a block only once a small chunk's worth (or 8 chunks) has gathered.
        assertTrue(small <= clientBlocks, "small-chunk passes copied " + small + " blocks: " + copied);
    }

    @Test
    void noPassRunsWhileNoTriggerIsCrossed() {
        CompactionConfig config = CompactionConfig.defaults().withTargetChunkBytes(64 * 1024);
        Compactor folds = new Compactor(reader, config, Runnable::run, clock::incrementAndGet);
        MergePolicy policy = new MergePolicy(config);
        VolumeModel volume = new VolumeModel(4, 1 << 20);
        Random random = new Random(5);
        Manifest m = folds.fold(Manifest.empty(4, 0), List.of(volume.write(0, VolumeModel.randomData(random, 1 << 20))),
                volume.sequence()).join().manifest();
        // 10% of the blocks overwritten: space is 1.1 × live, the map tiny; one small fresh chunk.
        List<LogRecord> records = new ArrayList<>();
        for (int i = 0; i < 26; i++) {
            records.add(volume.write(random.nextInt(256) * 4096L, VolumeModel.randomData(random, 4096)));
        }
        m = folds.fold(m, records, volume.sequence()).join().manifest();
        assertNull(policy.plan(m), "a fold that crosses no trigger costs no merge");
    }

    private byte[] readAll(Manifest m, int size) {
        byte[] out = new byte[size];
        reader.readBytes(m, 0, size, out, 0).join();
        return out;
    }
}
