package io.ledgerdisk.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ledgerdisk.appliance.node.NodeConfig;
import io.ledgerdisk.journal.Durability;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DevCommandTest {

    @Test
    void defaultsRunOnOneMachine() {
        NodeConfig config = DevCommand.parse(List.of());
        assertEquals(Path.of("data"), config.dataDir());
        assertEquals(10809, config.nbd().port());
        assertEquals(8080, config.http().port());
        assertEquals(1, config.bookies());
    }

    @Test
    void takesEveryOption() {
        NodeConfig config = DevCommand.parse(List.of("--data", "/tmp/x", "--nbd", "127.0.0.1:1234", "--http=0.0.0.0:9000", "--bookies", "3"));
        assertEquals(Path.of("/tmp/x"), config.dataDir());
        assertEquals(1234, config.nbd().port());
        assertEquals("0.0.0.0", config.http().host());
        assertEquals(3, config.bookies());
        assertEquals(Durability.IMMEDIATE, config.durability());
        assertEquals(Durability.LAZY, DevCommand.parse(List.of("--durability", "lazy")).durability());
    }

    @Test
    void refusesBadOptionsWithAReadableMessage() {
        assertTrue(assertThrows(UsageException.class, () -> DevCommand.parse(List.of("--nbd", "10809"))).getMessage().contains("HOST:PORT"));
        assertTrue(assertThrows(UsageException.class, () -> DevCommand.parse(List.of("--bookies", "0"))).getMessage().contains("between 1"));
        assertTrue(assertThrows(UsageException.class, () -> DevCommand.parse(List.of("--bookies", "x"))).getMessage().contains("number"));
        assertTrue(assertThrows(UsageException.class, () -> DevCommand.parse(List.of("--nbdd", "x"))).getMessage().contains("unknown option"));
        assertTrue(assertThrows(UsageException.class, () -> DevCommand.parse(List.of("--data"))).getMessage().contains("needs a value"));
        assertTrue(assertThrows(UsageException.class, () -> DevCommand.parse(List.of("--http", "h:99999"))).getMessage().contains("65535"));
        assertTrue(assertThrows(UsageException.class, () -> DevCommand.parse(List.of("--durability", "sometimes"))).getMessage().contains("lazy"));
        assertTrue(assertThrows(UsageException.class, () -> DevCommand.parse(List.of("--config", "/no/such/file"))).getMessage().contains("cannot be read"));
    }

    @Test
    void readsChunkStoreAndCompactionSettingsFromTheConfigFile(@org.junit.jupiter.api.io.TempDir Path temp) throws Exception {
        Path file = temp.resolve("node.properties");
        java.nio.file.Files.writeString(file, "chunks.dir=/srv/chunks\ncompaction.fold-bytes=16M\ncompaction.fold-age=5s\n");
        NodeConfig config = DevCommand.parse(List.of("--config", file.toString()));
        assertEquals(Path.of("/srv/chunks"), config.chunkStore().directory());
        assertEquals(16L << 20, config.compaction().foldBytes());
        assertEquals(java.time.Duration.ofSeconds(5), config.compaction().foldAge());

        java.nio.file.Files.writeString(file, "compaction.fold-bytes=lots\n");
        assertTrue(assertThrows(UsageException.class, () -> DevCommand.parse(List.of("--config", file.toString()))).getMessage()
                .contains("compaction.fold-bytes"));
        java.nio.file.Files.writeString(file, "chunks.store=tape\n");
        assertTrue(assertThrows(UsageException.class, () -> DevCommand.parse(List.of("--config", file.toString()))).getMessage()
                .contains("chunks.store"));
        java.nio.file.Files.writeString(file, "nbd.port=1\n");
        assertTrue(assertThrows(UsageException.class, () -> DevCommand.parse(List.of("--config", file.toString()))).getMessage()
                .contains("unknown setting"));
    }
}
