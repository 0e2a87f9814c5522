package io.ledgerdisk.nbd.server;

import java.util.List;

/**
 * The metadata contexts this server offers: only {@code base:allocation} (proto.md "The base: metadata
 * namespace"). Queries in other namespaces, and unknown leaf names in {@code base:}, are ignored.
 */
final class MetaContexts {

    static final String BASE_ALLOCATION = "base:allocation";
    /** The id announced for {@code base:allocation}; any nonzero value is valid, the client treats it as opaque. */
    static final int BASE_ALLOCATION_ID = 1;
    /** The reserved id sent in {@code NBD_OPT_LIST_META_CONTEXT} replies. */
    static final int LISTING_ID = 0;

    private MetaContexts() {
    }

    /**
     * Whether the queries of {@code NBD_OPT_LIST_META_CONTEXT} match {@code base:allocation}: no queries list
     * everything, and {@code base:} is a wildcard for the namespace.
     */
    static boolean listMatchesAllocation(List<String> queries) {
        return queries.isEmpty() || queries.stream().anyMatch(q -> q.equals("base:") || q.equals(BASE_ALLOCATION));
    }

    /** Whether the queries of {@code NBD_OPT_SET_META_CONTEXT} select {@code base:allocation}; {@code base:} selects nothing. */
    static boolean setSelectsAllocation(List<String> queries) {
        return queries.contains(BASE_ALLOCATION);
    }
}
