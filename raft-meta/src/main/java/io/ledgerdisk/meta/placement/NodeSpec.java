package io.ledgerdisk.meta.placement;

import java.util.Objects;

/**
 * A node as placement sees it.
 *
 * @param id            the node id
 * @param failureDomain the failure domain (host, rack, ...) at the pool's failure-domain level;
 *                      no PG has two copies in one domain
 * @param weight        relative capacity; 0 drains the node
 */
public record NodeSpec(String id, String failureDomain, double weight) {

    /** Checks the fields. */
    public NodeSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(failureDomain, "failureDomain");
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("node " + id + ": weight must be finite and >= 0, got " + weight);
        }
    }
}
