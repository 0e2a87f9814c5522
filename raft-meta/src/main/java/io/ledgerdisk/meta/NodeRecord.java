package io.ledgerdisk.meta;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A storage node of the cluster.
 *
 * @param id                   the node id
 * @param addresses            how to reach it ({@code host:port} per service, free-form)
 * @param failureDomains       failure-domain tags by level, e.g. {@code host -> h1, rack -> r7}
 * @param weight               relative capacity for placement; 0 drains the node
 * @param lastHeartbeatMicros  the time carried by its last heartbeat, microseconds since the epoch
 * @param alive                false once the leader saw its heartbeats stop
 */
public record NodeRecord(String id, List<String> addresses, Map<String, String> failureDomains, double weight,
                         long lastHeartbeatMicros, boolean alive) {

    /** Copies the collections (tags sorted by level). */
    public NodeRecord {
        Objects.requireNonNull(id, "id");
        addresses = List.copyOf(addresses);
        failureDomains = java.util.Collections.unmodifiableMap(new TreeMap<>(failureDomains));
    }

    /** The failure domain at a level; a node without that tag is its own domain. */
    public String failureDomain(String level) {
        String domain = failureDomains.get(level);
        return domain != null ? level + "=" + domain : "node=" + id;
    }
}
