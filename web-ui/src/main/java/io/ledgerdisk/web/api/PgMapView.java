package io.ledgerdisk.web.api;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A pool's PG map as the API shows it: each PG's nodes (primary first) and epoch, and how many
 * copies and primaries each node carries.
 *
 * @param pool      the pool name
 * @param pgCount   number of PGs
 * @param placedPgs PGs that have nodes
 * @param pgs       every PG, by number
 * @param nodes     every node that holds a copy, by id
 */
public record PgMapView(String pool, int pgCount, int placedPgs, List<Pg> pgs, List<NodeLoad> nodes) {

    /**
     * One placement group.
     *
     * @param pg    the PG number
     * @param nodes node ids, primary first; empty while unplaced
     * @param epoch incremented on every change of {@code nodes}
     */
    public record Pg(int pg, List<String> nodes, long epoch) {

        /** Copies the list. */
        public Pg {
            nodes = List.copyOf(nodes);
        }
    }

    /**
     * The load of one node in this pool.
     *
     * @param node      the node id
     * @param copies    PG copies on the node
     * @param primaries PGs the node is primary for (it serves their volumes)
     */
    public record NodeLoad(String node, int copies, int primaries) {
    }

    /** Copies the lists. */
    public PgMapView {
        pgs = List.copyOf(pgs);
        nodes = List.copyOf(nodes);
    }

    /** The view of a PG map, with the per-node counts computed from it. */
    public static PgMapView of(String pool, List<Pg> pgs) {
        Map<String, int[]> counts = new TreeMap<>();
        int placed = 0;
        for (Pg pg : pgs) {
            if (pg.nodes().isEmpty()) {
                continue;
            }
            placed++;
            for (int i = 0; i < pg.nodes().size(); i++) {
                int[] count = counts.computeIfAbsent(pg.nodes().get(i), node -> new int[2]);
                count[0]++;
                if (i == 0) {
                    count[1]++;
                }
            }
        }
        List<NodeLoad> loads = counts.entrySet().stream()
                .map(e -> new NodeLoad(e.getKey(), e.getValue()[0], e.getValue()[1])).toList();
        return new PgMapView(pool, pgs.size(), placed, pgs, loads);
    }
}
