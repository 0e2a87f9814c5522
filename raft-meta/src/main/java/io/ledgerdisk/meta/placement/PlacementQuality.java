package io.ledgerdisk.meta.placement;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How good a placement is on a set of nodes.
 *
 * @param uniformity       (total copies / total weight) / max over nodes (copies / weight); 1 is perfect
 * @param domainViolations PGs with two copies in one failure domain, or a copy on an unknown node
 * @param loads            copies per node, in the order of the node list
 */
public record PlacementQuality(double uniformity, long domainViolations, Map<String, Integer> loads) {

    /** Measures a placement. */
    public static PlacementQuality of(Placement placement, List<NodeSpec> nodes) {
        Map<String, NodeSpec> byId = new HashMap<>();
        Map<String, Integer> loads = new LinkedHashMap<>();
        for (NodeSpec node : nodes) {
            byId.put(node.id(), node);
            loads.put(node.id(), 0);
        }
        long violations = 0;
        long copies = 0;
        for (List<String> pg : placement.pgs()) {
            Set<String> domains = new HashSet<>();
            boolean bad = false;
            for (String id : pg) {
                NodeSpec node = byId.get(id);
                if (node == null || !domains.add(node.failureDomain())) {
                    bad = true;
                }
                if (node != null) {
                    loads.merge(id, 1, Integer::sum);
                }
                copies++;
            }
            if (bad) {
                violations++;
            }
        }
        double totalWeight = 0;
        double maxRatio = 0;
        for (NodeSpec node : nodes) {
            totalWeight += node.weight();
            int load = loads.get(node.id());
            if (load > 0) {
                maxRatio = Math.max(maxRatio, node.weight() > 0 ? load / node.weight() : Double.POSITIVE_INFINITY);
            }
        }
        double uniformity = maxRatio == 0 || totalWeight == 0 ? 1.0 : (copies / totalWeight) / maxRatio;
        return new PlacementQuality(uniformity, violations, Collections.unmodifiableMap(loads));
    }
}
