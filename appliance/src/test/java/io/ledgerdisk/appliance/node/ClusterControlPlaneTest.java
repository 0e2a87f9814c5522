package io.ledgerdisk.appliance.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ledgerdisk.journal.Durability;
import io.ledgerdisk.meta.PoolRecord;
import io.ledgerdisk.web.api.PoolRequest;
import io.ledgerdisk.web.api.PoolView;
import org.junit.jupiter.api.Test;

class ClusterControlPlaneTest {

    private static PoolRequest named(String name) {
        return new PoolRequest(name, null, null, null, null, null, null, null, null, null, null);
    }

    @Test
    void aBareRequestGetsTheNodesRedundancyAndDurability() {
        PoolRecord one = new ClusterControlPlane(null, 1, Durability.IMMEDIATE).record(named("p"));
        assertEquals(new PoolRecord("p", 1, 1, 1, PoolRecord.Durability.IMMEDIATE, 64, "host", PoolRecord.ChunkTier.LOCAL, null,
                86_400_000_000L), one);
        PoolRecord three = new ClusterControlPlane(null, 3, Durability.LAZY).record(named("p"));
        assertEquals(3, three.ensemble());
        assertEquals(3, three.writeQuorum());
        assertEquals(2, three.ackQuorum());
        assertEquals(PoolRecord.Durability.LAZY, three.durability());
    }

    @Test
    void theDefaultPoolFollowsTheBookies() {
        assertEquals(DefaultPool.record(1, Durability.LAZY),
                new ClusterControlPlane(null, 1, Durability.LAZY).record(named(DefaultPool.NAME)));
        PoolRecord three = DefaultPool.record(5, Durability.IMMEDIATE);
        assertEquals(3, three.ensemble());
        assertEquals(2, three.ackQuorum());
        assertEquals(2, DefaultPool.record(2, Durability.IMMEDIATE).ackQuorum());
    }

    @Test
    void explicitFieldsWinAndTheViewPrintsThemBack() {
        PoolRequest request = new PoolRequest("cold", 16, 3, null, null, null, "lazy", "rack", "s3", "chunks", 3600L);
        PoolRecord pool = new ClusterControlPlane(null, 1, Durability.IMMEDIATE).record(request);
        assertEquals(new PoolRecord("cold", 3, 3, 2, PoolRecord.Durability.LAZY, 16, "rack", PoolRecord.ChunkTier.S3, "chunks",
                3_600_000_000L), pool);
        PoolView view = ClusterControlPlane.view(pool, 16);
        assertEquals(new PoolView("cold", 16, 3, 3, 2, "lazy", "rack", "s3", "chunks", "1h", 3600, 16), view);
    }
}
