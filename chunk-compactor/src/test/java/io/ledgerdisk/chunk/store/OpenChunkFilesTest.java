package io.ledgerdisk.chunk.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenChunkFilesTest {

    @TempDir
    Path dir;

    private Path file(String name) throws Exception {
        return Files.write(dir.resolve(name), new byte[] {1, 2, 3});
    }

    @Test
    void keepsRecentChannelsOpenAndClosesTheLeastRecentlyUsed() throws Exception {
        try (OpenChunkFiles files = new OpenChunkFiles(2)) {
            ChunkId a = new ChunkId("c-a");
            ChunkId b = new ChunkId("c-b");
            ChunkId c = new ChunkId("c-c");
            FileChannel first = files.channel(a, file("a"));
            assertSame(first, files.channel(a, dir.resolve("a")), "a second read reuses the open channel");
            FileChannel second = files.channel(b, file("b"));
            files.channel(a, dir.resolve("a"));
            files.channel(c, file("c"));
            assertTrue(first.isOpen(), "a was used more recently than b");
            assertFalse(second.isOpen(), "b, the least recently used, was closed");
            assertNotSame(second, files.channel(b, dir.resolve("b")), "a closed channel is reopened");
        }
    }

    @Test
    void forgettingAChunkClosesItsChannel() throws Exception {
        try (OpenChunkFiles files = new OpenChunkFiles(4)) {
            ChunkId a = new ChunkId("c-a");
            FileChannel channel = files.channel(a, file("a"));
            files.forget(a);
            assertFalse(channel.isOpen());
        }
    }
}
