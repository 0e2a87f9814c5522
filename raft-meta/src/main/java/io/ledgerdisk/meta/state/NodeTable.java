package io.ledgerdisk.meta.state;

import io.ledgerdisk.meta.MetaException;
import io.ledgerdisk.meta.NodeRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The storage nodes and their liveness. Liveness is decided from the times carried by
 * commands (heartbeats and the leader's periodic {@code MarkNodesDown}), never from a local
 * clock, so every peer agrees. Not thread-safe.
 */
public final class NodeTable {

    private final TreeMap<String, NodeRecord> nodes = new TreeMap<>();

    /** An empty table. */
    public NodeTable() {
    }

    /** A table restored from a snapshot. */
    public NodeTable(List<NodeRecord> restored) {
        restored.forEach(node -> nodes.put(node.id(), node));
    }

    /** Adds a node, or updates its addresses, tags and weight; either way it is alive. */
    public NodeRecord register(String id, List<String> addresses, Map<String, String> failureDomains, double weight,
                               long micros) {
        VolumeRules.checkName("node id", id);
        checkWeight(id, weight);
        if (addresses == null || failureDomains == null) {
            throw new MetaException(MetaException.Code.INVALID_ARGUMENT, "node " + id + ": addresses and failure domains are required");
        }
        NodeRecord existing = nodes.get(id);
        long last = existing == null ? micros : Math.max(existing.lastHeartbeatMicros(), micros);
        NodeRecord node = new NodeRecord(id, addresses, failureDomains, weight, last, true);
        nodes.put(id, node);
        return node;
    }

    /** Records a heartbeat; a node that was down is alive again. */
    public NodeRecord heartbeat(String id, long micros) {
        NodeRecord node = require(id);
        NodeRecord updated = new NodeRecord(id, node.addresses(), node.failureDomains(), node.weight(),
                Math.max(node.lastHeartbeatMicros(), micros), true);
        nodes.put(id, updated);
        return updated;
    }

    /** Marks down every alive node whose last heartbeat is older than {@code timeoutMicros} at {@code nowMicros}. */
    public List<NodeRecord> markDown(long nowMicros, long timeoutMicros) {
        if (timeoutMicros <= 0) {
            throw new MetaException(MetaException.Code.INVALID_ARGUMENT, "liveness timeout must be positive, got " + timeoutMicros);
        }
        List<NodeRecord> down = new ArrayList<>();
        for (NodeRecord node : nodes.values()) {
            if (node.alive() && nowMicros - node.lastHeartbeatMicros() > timeoutMicros) {
                down.add(new NodeRecord(node.id(), node.addresses(), node.failureDomains(), node.weight(),
                        node.lastHeartbeatMicros(), false));
            }
        }
        down.forEach(node -> nodes.put(node.id(), node));
        return down;
    }

    /** Changes a node's placement weight. */
    public NodeRecord setWeight(String id, double weight) {
        NodeRecord node = require(id);
        checkWeight(id, weight);
        NodeRecord updated = new NodeRecord(id, node.addresses(), node.failureDomains(), weight,
                node.lastHeartbeatMicros(), node.alive());
        nodes.put(id, updated);
        return updated;
    }

    /** Forgets a node. */
    public NodeRecord remove(String id) {
        NodeRecord node = require(id);
        nodes.remove(id);
        return node;
    }

    /** The node with this id, if any. */
    public Optional<NodeRecord> byId(String id) {
        return Optional.ofNullable(nodes.get(id));
    }

    /** Every node, ordered by id. */
    public List<NodeRecord> list() {
        return List.copyOf(nodes.values());
    }

    private NodeRecord require(String id) {
        NodeRecord node = nodes.get(id);
        if (node == null) {
            throw new MetaException(MetaException.Code.NOT_FOUND, "node '" + id + "' does not exist");
        }
        return node;
    }

    private static void checkWeight(String id, double weight) {
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new MetaException(MetaException.Code.INVALID_ARGUMENT, "node " + id + ": weight must be finite and >= 0, got " + weight);
        }
    }
}
