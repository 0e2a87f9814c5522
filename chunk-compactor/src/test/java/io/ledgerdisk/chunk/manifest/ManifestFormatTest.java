package io.ledgerdisk.chunk.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ledgerdisk.chunk.extent.ExtentMap;
import io.ledgerdisk.chunk.store.ChunkId;
import io.ledgerdisk.chunk.store.MemoryChunkStore;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestFormatTest {

    static Manifest sample() {
        ChunkId a = new ChunkId("c-0000000000000007-0000000000000010-0000abcd");
        ChunkId b = new ChunkId("c-0000000000000007-0000000000000020-00001234");
        ExtentMap extents = new ExtentMap();
        extents.put(0, 1024, a);
        extents.put(100, 10, b);
        extents.put(5_000_000_000L, 3, null);
        extents.put(1L << 40, 1, b);
        return new Manifest(7, 3, List.of(new ChunkDescriptor(a, 4_200_000, 1024, 0, 16),
                new ChunkDescriptor(b, 50_000, 11, 16, 32)), extents, 32, 1_732_240_000_000_000L);
    }

    @Test
    void manifestRoundTripsCompactly() {
        Manifest m = sample();
        byte[] bytes = ManifestFormat.encode(m);
        assertEquals(m, ManifestFormat.decode(bytes));
        assertTrue(bytes.length < 48 + 2 * 80 + 5 * 12 + 4, "encoded in " + bytes.length + " bytes");
    }

    @Test
    void anyFlippedByteIsDetected() {
        byte[] bytes = ManifestFormat.encode(sample());
        for (int i = 0; i < bytes.length; i += 7) {
            byte[] bad = bytes.clone();
            bad[i] ^= 0x40;
            assertThrows(CorruptManifestException.class, () -> ManifestFormat.decode(bad), "byte " + i);
        }
    }

    @Test
    void headRoundTripsAndStoredManifestLoadsBack() {
        try (MemoryChunkStore store = new MemoryChunkStore()) {
            ManifestStore manifests = new ManifestStore(store);
            Manifest m = sample();
            ManifestHead head = manifests.save(m).join();
            assertTrue(head.objectId().isManifestObject());
            byte[] encodedHead = ManifestFormat.encodeHead(head);
            assertTrue(encodedHead.length < 100, "head is " + encodedHead.length + " bytes");
            ManifestHead decoded = ManifestFormat.decodeHead(encodedHead);
            assertEquals(head, decoded);
            assertEquals(m, manifests.load(decoded).join());

            store.corrupt(head.objectId(), 60);
            Throwable e = assertThrows(java.util.concurrent.CompletionException.class,
                    () -> manifests.load(decoded).join()).getCause();
            assertTrue(e instanceof CorruptManifestException, e.toString());
        }
    }

    @Test
    void extentMapMustNotNameUnlistedChunks() {
        ExtentMap extents = new ExtentMap();
        extents.put(0, 1, new ChunkId("c-missing"));
        assertThrows(IllegalArgumentException.class, () -> new Manifest(1, 1, List.of(), extents, 0, 0));
    }
}
