package io.ledgerdisk.meta;

import static io.ledgerdisk.meta.MetaTestSupport.await;
import static io.ledgerdisk.meta.MetaTestSupport.failure;
import static io.ledgerdisk.meta.MetaTestSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ledgerdisk.meta.ratis.MetaGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real one-peer Ratis group on loopback. */
class MetaServerIT {

    @TempDir
    Path dir;

    private final MetaPeer peer = new MetaPeer("m1", "127.0.0.1", MetaTestSupport.freePort());
    private MetaServer server;
    private MetaClient client;

    private void start(long snapshotThreshold) throws IOException, InterruptedException {
        server = MetaServer.start(new MetaServerConfig(peer, List.of(peer), dir, snapshotThreshold));
        await("the metadata peer to be ready", Duration.ofSeconds(20), server::isReady);
        client = MetaClient.connect(List.of(peer));
    }

    private void stop() {
        if (client != null) {
            client.close();
            client = null;
        }
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @AfterEach
    void tearDown() {
        stop();
    }

    @Test
    void createListAddLedgerDelete() throws Exception {
        start(MetaServerConfig.DEFAULT_SNAPSHOT_THRESHOLD);
        VolumeRecord a = get(client.createVolume("alpha", 1 << 20));
        VolumeRecord b = get(client.createVolume("beta", 4096));
        assertNotEquals(a.id(), b.id());
        assertEquals("alpha", a.name());
        assertEquals(1 << 20, a.sizeBytes());
        assertTrue(a.createdMicros() > 0);

        LedgerRef ledger = new LedgerRef(77, 0, 123);
        VolumeRecord withLedger = get(client.addLedger(a.id(), ledger));
        assertEquals(List.of(ledger), withLedger.ledgers());
        assertEquals(withLedger, get(client.addLedger(a.id(), ledger)), "a retried addLedger is a no-op");

        assertEquals(List.of(withLedger, b), get(client.listVolumes()));
        assertEquals(Optional.of(withLedger), get(client.volume("alpha")));

        get(client.deleteVolume("alpha"));
        assertEquals(Optional.empty(), get(client.volume("alpha")));
        assertEquals(List.of(b), get(client.listVolumes()));
    }

    @Test
    void refusalsComeBackAsMetaExceptionWithTheirCode() throws Exception {
        start(MetaServerConfig.DEFAULT_SNAPSHOT_THRESHOLD);
        VolumeRecord a = get(client.createVolume("a", 512));
        assertCode(MetaException.Code.INVALID_ARGUMENT, client.createVolume("a@snap", 512));
        assertCode(MetaException.Code.INVALID_ARGUMENT, client.createVolume("Upper", 512));
        assertCode(MetaException.Code.INVALID_ARGUMENT, client.createVolume("b", 513));
        assertCode(MetaException.Code.INVALID_ARGUMENT, client.createVolume("b", 0));
        assertCode(MetaException.Code.ALREADY_EXISTS, client.createVolume("a", 1024));
        assertCode(MetaException.Code.NOT_FOUND, client.deleteVolume("missing"));
        assertCode(MetaException.Code.NOT_FOUND, client.addLedger(a.id() + 1000, new LedgerRef(1, 0, 0)));
        get(client.addLedger(a.id(), new LedgerRef(1, 10, 0)));
        assertCode(MetaException.Code.ALREADY_EXISTS, client.addLedger(a.id(), new LedgerRef(1, 11, 0)));
        assertEquals(1, get(client.listVolumes()).size(), "refused commands change nothing");
    }

    @Test
    void clusterMetadataThroughRatis() throws Exception {
        start(MetaServerConfig.DEFAULT_SNAPSHOT_THRESHOLD);
        for (int i = 0; i < 4; i++) {
            get(client.registerNode("n" + i, List.of("127.0.0.1:" + (10809 + i)), Map.of("host", "h" + i), 1.0));
        }
        PoolRecord pool = new PoolRecord("fast", 3, 3, 2, PoolRecord.Durability.LAZY, 16, "host",
                PoolRecord.ChunkTier.S3, "chunks", 0);
        assertEquals(pool, get(client.createPool(pool)));
        assertEquals(16, get(client.rebalancePool("fast")).size());
        List<PgRecord> map = get(client.pgMap("fast"));
        assertTrue(map.stream().allMatch(pg -> pg.nodes().size() == 3 && pg.epoch() == 1));

        VolumeInfo info = get(client.createVolume("db", 1 << 20, "fast"));
        ManifestVersion manifest = new ManifestVersion(1, List.of("chunk-1"), 42, 7, null);
        get(client.commitManifest(info.volume().id(), manifest));
        VolumeInfo read = get(client.volumeInfo("db")).orElseThrow();
        assertEquals(Optional.of(manifest), read.manifestHead());
        assertEquals(info.pg(), read.pg());

        // n0 stays silent for longer than the timeout; the others heartbeat just before the check.
        Thread.sleep(1_500);
        get(client.heartbeat("n1"));
        get(client.heartbeat("n2"));
        get(client.heartbeat("n3"));
        List<NodeRecord> down = get(client.markNodesDown(Duration.ofSeconds(1)));
        assertEquals(List.of("n0"), down.stream().map(NodeRecord::id).toList());
        assertTrue(get(client.pgMap("fast")).stream().noneMatch(pg -> pg.primary().equals("n0")));
        assertCode(MetaException.Code.NOT_FOUND, client.pgMap("slow"));

        assertCode(MetaException.Code.CONFLICT, client.deletePool("fast"));
        get(client.deleteVolume("db"));
        assertEquals(pool, get(client.deletePool("fast")));
        assertEquals(List.of(), get(client.pools()));
        assertCode(MetaException.Code.NOT_FOUND, client.deletePool("fast"));
    }

    private static void assertCode(MetaException.Code code, CompletableFuture<?> future) throws Exception {
        MetaException e = failure(future);
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
    }

    @Test
    void restartAfterManyCommandsAndAutomaticSnapshotsKeepsTheState() throws Exception {
        start(100);
        runCommands(0, 200);
        List<VolumeRecord> before = get(client.listVolumes());
        stop();
        assertTrue(snapshotFiles().size() >= 1, "automatic snapshots should have been written: " + snapshotFiles());

        start(100);
        assertEquals(before, get(client.listVolumes()));
        VolumeRecord fresh = get(client.createVolume("fresh", 512));
        assertTrue(before.stream().allMatch(v -> v.id() < fresh.id()), "ids are never reused after a restart");
    }

    @Test
    void restartAfterForcedSnapshotKeepsTheState() throws Exception {
        start(MetaServerConfig.DEFAULT_SNAPSHOT_THRESHOLD);
        runCommands(0, 60);
        long snapshotIndex = get(server.takeSnapshot());
        assertTrue(snapshotIndex > 60, "the snapshot covers the commands, index " + snapshotIndex);
        assertEquals(1, snapshotFiles().size());
        runCommands(60, 90);
        List<VolumeRecord> before = get(client.listVolumes());
        stop();

        start(MetaServerConfig.DEFAULT_SNAPSHOT_THRESHOLD);
        assertEquals(before, get(client.listVolumes()));
    }

    /** Creates volumes, adds ledgers and deletes every third one, pipelined from one client. */
    private void runCommands(int from, int to) throws Exception {
        List<CompletableFuture<VolumeRecord>> created = new ArrayList<>();
        for (int i = from; i < to; i++) {
            created.add(client.createVolume("vol-" + i, 512L * (i + 1)));
        }
        List<CompletableFuture<?>> rest = new ArrayList<>();
        for (int i = 0; i < created.size(); i++) {
            VolumeRecord volume = get(created.get(i));
            rest.add(client.addLedger(volume.id(), new LedgerRef(1000 + i, 0, i)));
            rest.add(client.addLedger(volume.id(), new LedgerRef(2000 + i, 50, i)));
            if (i % 3 == 0) {
                rest.add(client.deleteVolume(volume.name()));
            }
        }
        for (CompletableFuture<?> future : rest) {
            get(future);
        }
    }

    private List<Path> snapshotFiles() throws IOException {
        Path sm = dir.resolve(MetaGroup.GROUP_ID.getUuid().toString()).resolve("sm");
        if (!Files.isDirectory(sm)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(sm)) {
            return files.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+")).toList();
        }
    }
}
