package io.ledgerdisk.appliance.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ledgerdisk.journal.Durability;
import io.ledgerdisk.meta.MetaClient;
import io.ledgerdisk.meta.MetaPeer;
import io.ledgerdisk.meta.MetaServer;
import io.ledgerdisk.meta.MetaServerConfig;
import io.ledgerdisk.meta.NodeRecord;
import io.ledgerdisk.meta.PgRecord;
import io.ledgerdisk.meta.PoolRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A node's registration, default pool and heartbeats against a real one-peer Ratis group (no bookies needed). */
class NodeMembershipIT {

    private Path data;
    private MetaServer server;
    private MetaClient meta;

    @BeforeEach
    void startGroup() throws Exception {
        data = Files.createTempDirectory("ledgerdisk-membership-it");
        MetaPeer self = new MetaPeer("n1", "127.0.0.1", NodeState.load(data).metaPort());
        server = MetaServer.start(new MetaServerConfig(self, List.of(self), data.resolve("ratis")));
        meta = MetaClient.connect(List.of(self));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!server.isReady()) {
            assertTrue(System.nanoTime() < deadline, "no metadata leader within 60 s");
            Thread.sleep(50);
        }
    }

    @AfterEach
    void stopGroup() throws Exception {
        meta.close();
        server.close();
        try (var files = Files.walk(data)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private NodeMembership start() throws Exception {
        NodeConfig config = new NodeConfig(data, new HostPort("127.0.0.1", 10809), new HostPort("127.0.0.1", 8080), 1,
                Durability.LAZY, java.util.Map.of());
        return NodeMembership.start(meta, NodeState.load(data), new HostPort("127.0.0.1", 10809), config, server::isLeader);
    }

    private NodeRecord self() throws Exception {
        return meta.nodes().get(30, TimeUnit.SECONDS).stream().filter(n -> n.id().equals("n1")).findFirst().orElseThrow();
    }

    @Test
    void registersCreatesAndPlacesTheDefaultPoolAndHeartbeats() throws Exception {
        try (NodeMembership membership = start()) {
            NodeRecord node = self();
            assertEquals(List.of("127.0.0.1:10809"), node.addresses());
            assertEquals(NodeMembership.hostname(), node.failureDomains().get("host"));
            assertTrue(node.alive());

            List<PoolRecord> pools = meta.pools().get(30, TimeUnit.SECONDS);
            assertEquals(List.of(DefaultPool.record(1, Durability.LAZY)), pools);
            List<PgRecord> map = meta.pgMap(DefaultPool.NAME).get(30, TimeUnit.SECONDS);
            assertTrue(map.stream().allMatch(pg -> pg.nodes().equals(List.of("n1"))), map.toString());

            long first = node.lastHeartbeatMicros();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (self().lastHeartbeatMicros() == first) {
                assertTrue(System.nanoTime() < deadline, "no heartbeat within 20 s");
                Thread.sleep(200);
            }
        }
    }

    @Test
    void aRestartKeepsTheOperatorsWeightAndDoesNotRecreateADeletedDefaultPool() throws Exception {
        start().close();
        meta.setNodeWeight("n1", 2.5).get(30, TimeUnit.SECONDS);
        meta.deletePool(DefaultPool.NAME).get(30, TimeUnit.SECONDS);

        start().close();
        assertEquals(2.5, self().weight());
        assertEquals(List.of(), meta.pools().get(30, TimeUnit.SECONDS), "the default pool is made on the first start only");
    }
}
