package io.ledgerdisk.chunk.extent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ledgerdisk.chunk.store.ChunkId;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExtentMapTest {
    private static final ChunkId A = new ChunkId("c-a");
    private static final ChunkId B = new ChunkId("c-b");

    @Test
    void newerRangesReplaceOlderOnesAndNeighboursMerge() {
        ExtentMap map = new ExtentMap();
        map.put(0, 100, A);
        map.put(40, 10, B);
        assertEquals(List.of(new Extent(0, 40, A), new Extent(40, 10, B), new Extent(50, 50, A)),
                map.toList());
        map.put(40, 10, A);
        assertEquals(1, map.size(), "putting A back merges the three runs into one");
        assertEquals(new Extent(0, 100, A), map.get(99));
        assertNull(map.get(100));

        map.put(100, 20, null);
        map.put(120, 5, null);
        assertEquals(new Extent(100, 25, null), map.get(110), "adjacent zero runs merge");
        assertEquals(List.of(new Extent(95, 5, A), new Extent(100, 3, null)), map.extentsIn(95, 8));
        assertEquals(100, map.liveBlocksByChunk().get(A));
    }

    @Test
    void randomPutsMatchAPerBlockModelAndStayMerged() {
        Random random = new Random(42);
        int blocks = 20_000;
        ChunkId[] model = new ChunkId[blocks];
        boolean[] mapped = new boolean[blocks];
        ChunkId[] targets = {A, B, new ChunkId("c-c"), null};
        ExtentMap map = new ExtentMap();
        ExtentMap snapshot = null;
        for (int i = 0; i < 6000; i++) {
            if (i == 3000) {
                snapshot = map.copy();
            }
            int first = random.nextInt(blocks);
            // Mostly single blocks (many small extents, many pages), sometimes long ranges.
            int count = random.nextInt(50) == 0 ? 1 + random.nextInt(Math.min(500, blocks - first)) : 1;
            if (random.nextInt(10) == 0) {
                map.remove(first, count);
                for (int b = first; b < first + count; b++) {
                    mapped[b] = false;
                    model[b] = null;
                }
                continue;
            }
            ChunkId target = targets[random.nextInt(targets.length)];
            map.put(first, count, target);
            for (int b = first; b < first + count; b++) {
                mapped[b] = true;
                model[b] = target;
            }
        }
        for (int b = 0; b < blocks; b++) {
            Extent e = map.get(b);
            assertEquals(mapped[b], e != null, "block " + b);
            if (e != null) {
                assertTrue(Objects.equals(model[b], e.chunk()), "block " + b);
            }
        }
        assertTrue(map.size() > 1000, "the test must exercise many pages: " + map.size() + " extents");
        assertTrue(snapshot.size() > 0 && !snapshot.equals(map), "a copy does not see later changes");
        assertEquals(map.size(), map.toList().size());
        Extent previous = null;
        for (Extent e : map.toList()) {
            if (previous != null && previous.endBlock() == e.firstBlock()) {
                assertNotEquals(previous.chunk() == null ? "zero" : previous.chunk(),
                        e.chunk() == null ? "zero" : e.chunk(), "adjacent runs with one target must be merged");
            }
            previous = e;
        }
    }

    @Test
    void overlayingSortedRunsEqualsPuttingThemOneByOne() {
        Random random = new Random(7);
        ChunkId[] targets = {A, B, new ChunkId("c-c"), null};
        for (int round = 0; round < 300; round++) {
            ExtentMap base = new ExtentMap();
            int existing = random.nextInt(round % 3 == 0 ? 5 : 400);
            for (int i = 0; i < existing; i++) {
                base.put(random.nextInt(20_000), 1 + random.nextInt(round % 2 == 0 ? 4 : 300),
                        targets[random.nextInt(targets.length)]);
            }
            int count = 1 + random.nextInt(round % 4 == 0 ? 3 : 600);
            long[] start = new long[count];
            long[] end = new long[count];
            ChunkId[] target = new ChunkId[count];
            long at = random.nextInt(50);
            for (int i = 0; i < count; i++) {
                start[i] = at + (random.nextInt(3) == 0 ? 0 : random.nextInt(random.nextBoolean() ? 4 : 200));
                end[i] = start[i] + 1 + random.nextInt(random.nextBoolean() ? 3 : 100);
                target[i] = targets[random.nextInt(targets.length)];
                at = end[i];
            }
            ExtentMap onebyone = base.copy();
            for (int i = 0; i < count; i++) {
                onebyone.put(start[i], end[i] - start[i], target[i]);
            }
            ExtentMap overlaid = base.copy();
            overlaid.overlay(start, end, target, count);
            assertEquals(onebyone.toList(), overlaid.toList(), "round " + round);
            assertEquals(onebyone.size(), overlaid.size(), "round " + round);
            for (int probe = 0; probe < 50; probe++) {
                long block = random.nextInt(25_000);
                assertEquals(onebyone.get(block), overlaid.get(block), "round " + round + ", block " + block);
            }
        }
    }

    @Test
    void overlayMergesWithNeighboursAcrossPageBoundaries() {
        // 400 adjacent one-block extents of alternating chunks make several pages; a run laid at every
        // position meets each page's first and last extents as neighbours (and gaps after block 400).
        ExtentMap base = new ExtentMap();
        for (int i = 0; i < 400; i++) {
            base.put(i, 1, i % 2 == 0 ? A : B);
        }
        base.put(402, 1, A);
        for (long block = 0; block < 405; block++) {
            for (ChunkId target : new ChunkId[] {A, B, null}) {
                ExtentMap onebyone = base.copy();
                onebyone.put(block, 1, target);
                ExtentMap overlaid = base.copy();
                overlaid.overlay(new long[] {block}, new long[] {block + 1}, new ChunkId[] {target}, 1);
                assertEquals(onebyone.toList(), overlaid.toList(), "block " + block + " -> " + target);
            }
        }
    }

    @Test
    void overlayRefusesUnsortedOrOverlappingRuns() {
        ExtentMap map = new ExtentMap();
        assertThrows(IllegalArgumentException.class,
                () -> map.overlay(new long[] {10, 5}, new long[] {20, 8}, new ChunkId[] {A, B}, 2));
        assertThrows(IllegalArgumentException.class,
                () -> map.overlay(new long[] {10, 15}, new long[] {20, 30}, new ChunkId[] {A, B}, 2));
        assertThrows(IllegalArgumentException.class,
                () -> map.overlay(new long[] {10}, new long[] {10}, new ChunkId[] {A}, 1));
    }

    @Test
    void aTebibyteFoldedIntoFourMebibyteChunksFitsTheBudget() {
        long blocksPerTiB = (1L << 40) / 4096;
        int blocksPerChunk = 1024;
        ExtentMap map = new ExtentMap();
        for (long first = 0; first < blocksPerTiB; first += blocksPerChunk) {
            map.put(first, blocksPerChunk, new ChunkId("c-" + Long.toHexString(first)));
        }
        // Overwrite 1% of it with 4 KiB random writes folded into other chunks.
        Random random = new Random(7);
        ChunkId hot = new ChunkId("c-hot");
        for (int i = 0; i < 20_000; i++) {
            map.put((random.nextLong() & Long.MAX_VALUE) % blocksPerTiB, 1, hot);
        }
        long budget = 64L << 20;
        assertTrue(map.heapBytesEstimate() <= budget, "estimate " + map.heapBytesEstimate() + " bytes");
        assertEquals(blocksPerTiB, map.mappedBlocks());
    }

    @Test
    void frozenMapRefusesChangesButItsCopyAccepts() {
        ExtentMap map = new ExtentMap();
        map.put(0, 1, A);
        map.freeze();
        assertThrows(IllegalStateException.class, () -> map.put(1, 1, A));
        ExtentMap copy = map.copy();
        copy.put(1, 1, A);
        assertEquals(new Extent(0, 2, A), copy.get(0));
        assertEquals(new Extent(0, 1, A), map.get(0));
    }
}
