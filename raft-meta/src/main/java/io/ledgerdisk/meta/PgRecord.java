package io.ledgerdisk.meta;

import java.util.List;

/**
 * One placement group of a pool: the nodes serving it, primary first.
 *
 * @param pool     the pool name
 * @param pg       the PG number, {@code 0..pgCount-1}
 * @param nodes    node ids, primary first
 * @param epoch    incremented on every change of {@code nodes}; a node serving an older epoch is stale
 * @param previous earlier node lists, newest first (at most {@link #HISTORY})
 */
public record PgRecord(String pool, int pg, List<String> nodes, long epoch, List<List<String>> previous) {

    /** How many earlier node lists a PG remembers. */
    public static final int HISTORY = 3;

    /** Copies the lists. */
    public PgRecord {
        nodes = List.copyOf(nodes);
        previous = previous.stream().map(List::copyOf).toList();
    }

    /** The node serving the PG's volumes. */
    public String primary() {
        return nodes.get(0);
    }
}
