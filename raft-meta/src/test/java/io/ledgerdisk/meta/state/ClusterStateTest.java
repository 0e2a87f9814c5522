package io.ledgerdisk.meta.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ledgerdisk.meta.ManifestVersion;
import io.ledgerdisk.meta.MetaException;
import io.ledgerdisk.meta.NodeRecord;
import io.ledgerdisk.meta.PgRecord;
import io.ledgerdisk.meta.PoolRecord;
import io.ledgerdisk.meta.VolumeInfo;
import io.ledgerdisk.meta.command.MetaCommand;
import io.ledgerdisk.meta.command.MetaQuery;
import io.ledgerdisk.meta.command.MetaReply;
import io.ledgerdisk.meta.placement.PgHash;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Nodes, pools, PG maps and manifests in the state machine's state. */
class ClusterStateTest {

    private static final PoolRecord POOL = new PoolRecord("fast", 3, 3, 2, PoolRecord.Durability.IMMEDIATE, 64, "host",
            PoolRecord.ChunkTier.LOCAL, null, 86_400_000_000L);

    private final MetadataState state = new MetadataState();

    private MetaReply ok(MetaCommand command) {
        MetaReply reply = state.apply(command);
        assertFalse(reply.failed(), () -> command + ": " + reply.message());
        return reply;
    }

    private MetaException.Code refused(MetaCommand command) {
        StateSnapshot before = state.snapshot();
        MetaReply reply = state.apply(command);
        assertTrue(reply.failed(), () -> command + " should be refused");
        assertEquals(before, state.snapshot());
        return reply.error();
    }

    private void registerNodes(int count) {
        for (int i = 0; i < count; i++) {
            ok(new MetaCommand.RegisterNode("n" + i, List.of("10.0.0." + i + ":10809"), Map.of("host", "h" + i, "rack", "r" + i % 2),
                    1.0, 1_000));
        }
    }

    @Test
    void poolsAreValidatedAndIdempotent() {
        ok(new MetaCommand.CreatePool(POOL));
        ok(new MetaCommand.CreatePool(POOL));
        assertEquals(MetaException.Code.ALREADY_EXISTS, refused(new MetaCommand.CreatePool(
                new PoolRecord("fast", 3, 2, 2, PoolRecord.Durability.LAZY, 64, "host", PoolRecord.ChunkTier.LOCAL, null, 0))));
        List<PoolRecord> invalid = List.of(
                new PoolRecord("bad", 3, 4, 2, PoolRecord.Durability.LAZY, 64, "host", PoolRecord.ChunkTier.LOCAL, null, 0),
                new PoolRecord("bad", 3, 2, 3, PoolRecord.Durability.LAZY, 64, "host", PoolRecord.ChunkTier.LOCAL, null, 0),
                new PoolRecord("bad", 3, 3, 2, PoolRecord.Durability.LAZY, 0, "host", PoolRecord.ChunkTier.LOCAL, null, 0),
                new PoolRecord("bad", 3, 3, 2, PoolRecord.Durability.LAZY, 64, "host", PoolRecord.ChunkTier.S3, null, 0),
                new PoolRecord("bad", 3, 3, 2, PoolRecord.Durability.LAZY, 64, "host", PoolRecord.ChunkTier.LOCAL, "b", 0),
                new PoolRecord("Bad", 3, 3, 2, PoolRecord.Durability.LAZY, 64, "host", PoolRecord.ChunkTier.LOCAL, null, 0));
        for (PoolRecord pool : invalid) {
            assertEquals(MetaException.Code.INVALID_ARGUMENT, refused(new MetaCommand.CreatePool(pool)), pool.toString());
        }
        assertEquals(List.of(POOL), state.query(new MetaQuery.ListPools()).pools());
    }

    @Test
    void rebalancePlacesEveryPgOnDistinctHostsAndBumpsEpochs() {
        registerNodes(6);
        ok(new MetaCommand.CreatePool(POOL));
        assertEquals(MetaException.Code.NOT_FOUND, refused(new MetaCommand.RebalancePool("slow")));
        List<PgRecord> changed = ok(new MetaCommand.RebalancePool("fast")).pgs();
        assertEquals(64, changed.size());
        for (PgRecord pg : state.pgs()) {
            assertEquals(3, new HashSet<>(pg.nodes()).size());
            assertEquals(1, pg.epoch());
            assertEquals(List.of(), pg.previous());
        }
        assertEquals(List.of(), ok(new MetaCommand.RebalancePool("fast")).pgs(), "an unchanged cluster moves nothing");

        ok(new MetaCommand.RegisterNode("n6", List.of("x"), Map.of("host", "h6"), 1.0, 2_000));
        List<PgRecord> moved = ok(new MetaCommand.RebalancePool("fast")).pgs();
        assertFalse(moved.isEmpty());
        for (PgRecord pg : moved) {
            assertEquals(2, pg.epoch());
            assertEquals(1, pg.previous().size());
        }
    }

    @Test
    void rebalanceNeedsEnoughFailureDomains() {
        registerNodes(6);
        ok(new MetaCommand.CreatePool(new PoolRecord("racks", 3, 3, 2, PoolRecord.Durability.LAZY, 8, "rack",
                PoolRecord.ChunkTier.S3, "chunks", 0)));
        assertEquals(MetaException.Code.INVALID_ARGUMENT, refused(new MetaCommand.RebalancePool("racks")));
    }

    @Test
    void silentNodesGoDownAndTheirPgsFailOverToTheNextNode() {
        registerNodes(6);
        ok(new MetaCommand.CreatePool(POOL));
        ok(new MetaCommand.RebalancePool("fast"));
        for (int i = 1; i < 6; i++) {
            ok(new MetaCommand.NodeHeartbeat("n" + i, 5_000_000));
        }
        List<PgRecord> before = state.pgs();
        List<NodeRecord> down = ok(new MetaCommand.MarkNodesDown(5_500_000, 1_000_000)).nodes();
        assertEquals(List.of("n0"), down.stream().map(NodeRecord::id).toList());
        assertFalse(down.get(0).alive());

        List<PgRecord> after = state.pgs();
        for (int pg = 0; pg < before.size(); pg++) {
            PgRecord old = before.get(pg);
            PgRecord now = after.get(pg);
            if (old.primary().equals("n0")) {
                assertEquals(old.nodes().get(1), now.primary(), "the next node takes over");
                assertEquals("n0", now.nodes().get(2));
                assertEquals(old.epoch() + 1, now.epoch());
                assertEquals(old.nodes(), now.previous().get(0));
            } else {
                assertEquals(old, now);
            }
        }
        assertEquals(MetaException.Code.NOT_FOUND, refused(new MetaCommand.NodeHeartbeat("n9", 1)));
        // Rebalancing now replaces n0 everywhere.
        ok(new MetaCommand.RebalancePool("fast"));
        assertTrue(state.pgs().stream().noneMatch(pg -> pg.nodes().contains("n0")));
    }

    @Test
    void volumesInAPoolGetAStablePgAndManifestHistory() {
        ok(new MetaCommand.CreatePool(POOL));
        assertEquals(MetaException.Code.NOT_FOUND, refused(new MetaCommand.CreateVolume("v", 512, 1, "nope")));
        VolumeInfo info = ok(new MetaCommand.CreateVolume("data-1", 1 << 20, 1, "fast")).volumeInfo();
        assertEquals("fast", info.pool());
        assertEquals(PgHash.pgOf("data-1", 64), info.pg());
        long id = info.volume().id();

        ManifestVersion v1 = new ManifestVersion(1, List.of("c1", "c2"), 100, 10, null);
        ManifestVersion v2 = new ManifestVersion(2, List.of("c3"), 250, 20, null);
        ok(new MetaCommand.CommitManifest(id, v1));
        assertEquals(MetaException.Code.INVALID_ARGUMENT, refused(new MetaCommand.CommitManifest(id, new ManifestVersion(3, List.of(), 300, 30, null))));
        assertEquals(MetaException.Code.INVALID_ARGUMENT, refused(new MetaCommand.CommitManifest(id, new ManifestVersion(2, List.of(), 99, 30, null))));
        VolumeInfo after = ok(new MetaCommand.CommitManifest(id, v2)).volumeInfo();
        assertEquals(List.of(v1, v2), after.manifests());
        assertEquals(v2, after.manifestHead().orElseThrow());
        assertEquals(after, ok(new MetaCommand.CommitManifest(id, v2)).volumeInfo(), "a retried commit is a no-op");
        assertEquals(MetaException.Code.ALREADY_EXISTS, refused(new MetaCommand.CommitManifest(id, new ManifestVersion(2, List.of("x"), 250, 20, null))));
        assertEquals(after, state.query(new MetaQuery.GetVolumeInfo("data-1")).volumeInfo());
    }

    @Test
    void aPoolIsDeletedOnlyOnceItHasNoVolumes() throws IOException {
        registerNodes(3);
        ok(new MetaCommand.CreatePool(POOL));
        ok(new MetaCommand.RebalancePool("fast"));
        ok(new MetaCommand.CreateVolume("loose", 512, 1));
        ok(new MetaCommand.CreateVolume("in-pool", 512, 2, "fast"));
        assertEquals(MetaException.Code.NOT_FOUND, refused(new MetaCommand.DeletePool("slow")));

        MetaReply busy = state.apply(new MetaCommand.DeletePool("fast"));
        assertEquals(MetaException.Code.CONFLICT, busy.error());
        assertTrue(busy.message().contains("in-pool") && busy.message().contains("delete them first"), busy.message());
        assertFalse(busy.message().contains("loose"), "a volume without a pool does not hold the pool: " + busy.message());
        assertEquals(List.of(POOL), state.query(new MetaQuery.ListPools()).pools(), "a refused delete changes nothing");

        ok(new MetaCommand.DeleteVolume("in-pool"));
        assertEquals(List.of(POOL), ok(new MetaCommand.DeletePool("fast")).pools());
        assertEquals(List.of(), state.query(new MetaQuery.ListPools()).pools());
        assertEquals(MetaException.Code.NOT_FOUND, state.query(new MetaQuery.GetPgMap("fast")).error());
        assertEquals(List.of(), state.pgs());
        assertEquals(MetaException.Code.NOT_FOUND, refused(new MetaCommand.DeletePool("fast")), "a second delete finds nothing");

        // The name is free again, with a fresh, unplaced PG map of the new size.
        PoolRecord smaller = new PoolRecord("fast", 3, 3, 2, PoolRecord.Durability.LAZY, 8, "host", PoolRecord.ChunkTier.LOCAL, null, 0);
        ok(new MetaCommand.CreatePool(smaller));
        List<PgRecord> fresh = state.query(new MetaQuery.GetPgMap("fast")).pgs();
        assertEquals(8, fresh.size());
        assertTrue(fresh.stream().allMatch(pg -> pg.nodes().isEmpty() && pg.epoch() == 0));
        assertEquals(state.snapshot(), MetadataState.restore(SnapshotFormat.decode(SnapshotFormat.encode(state.snapshot()))).snapshot());
    }

    @Test
    void deletingAPoolIsDeterministicAcrossPeers() {
        List<MetaCommand> log = List.of(
                new MetaCommand.CreatePool(POOL),
                new MetaCommand.CreatePool(new PoolRecord("cold", 1, 1, 1, PoolRecord.Durability.LAZY, 4, "host",
                        PoolRecord.ChunkTier.S3, "chunks", 0)),
                new MetaCommand.CreateVolume("v", 512, 1, "cold"),
                new MetaCommand.DeletePool("cold"),
                new MetaCommand.DeletePool("fast"),
                new MetaCommand.DeleteVolume("v"),
                new MetaCommand.DeletePool("cold"));
        MetadataState a = new MetadataState();
        MetadataState b = new MetadataState();
        for (MetaCommand command : log) {
            assertEquals(a.apply(command), b.apply(command), command.toString());
        }
        assertEquals(a.snapshot(), b.snapshot());
        assertEquals(List.of(), a.query(new MetaQuery.ListPools()).pools());
    }

    @Test
    void theWholeClusterStateSurvivesASnapshot() throws IOException {
        registerNodes(5);
        ok(new MetaCommand.CreatePool(POOL));
        ok(new MetaCommand.RebalancePool("fast"));
        ok(new MetaCommand.MarkNodesDown(10_000_000, 1_000));
        long id = ok(new MetaCommand.CreateVolume("v", 4096, 3, "fast")).volume().id();
        ok(new MetaCommand.CommitManifest(id, new ManifestVersion(1, List.of("c"), 7, 8, null)));
        StateSnapshot snapshot = state.snapshot();
        StateSnapshot decoded = SnapshotFormat.decode(SnapshotFormat.encode(snapshot));
        assertEquals(snapshot, decoded);
        MetadataState restored = MetadataState.restore(decoded);
        assertEquals(snapshot, restored.snapshot());
        Set<String> nodesNow = new HashSet<>();
        restored.pgs().forEach(pg -> nodesNow.addAll(pg.nodes()));
        assertEquals(5, nodesNow.size());
    }
}
