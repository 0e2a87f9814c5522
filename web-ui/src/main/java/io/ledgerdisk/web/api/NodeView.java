package io.ledgerdisk.web.api;

import java.util.List;
import java.util.Map;

/**
 * A cluster node as the API shows it.
 *
 * @param id             the node id
 * @param addresses      how to reach it, e.g. its NBD {@code host:port}
 * @param failureDomains failure-domain tags by level, e.g. {@code host -> h1}
 * @param weight         relative capacity for placement; 0 drains the node
 * @param alive          false once its heartbeats stopped for longer than the liveness timeout
 * @param lastHeartbeat  the time of its last heartbeat, ISO-8601 UTC
 */
public record NodeView(String id, List<String> addresses, Map<String, String> failureDomains, double weight, boolean alive,
                       String lastHeartbeat) {
}
