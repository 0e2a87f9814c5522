package io.ledgerdisk.meta.placement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One placement computation over index arrays (node i, domain d, PG p). Not thread-safe;
 * used once by {@link PlacementEngine}.
 *
 * <p>Steps: (1) caps from {@link LoadTargets}; (2) keep every previous copy that is still valid;
 * (3) trim nodes above their cap, dropping the copies whose PGs can most easily go elsewhere;
 * (4) fill empty slots with the domain, then the node, with the most spare capacity; if no
 * allowed node has spare capacity, (5) repair by moving one other PG's copy onto a node with
 * spare capacity and taking its place; (6) choose primaries, spread by weight, keeping the
 * previous primary where it fits.
 */
final class PlacementRun {

    private static final int EMPTY = -1;

    private final int pgCount;
    private final int replicas;
    private final String[] ids;
    private final double[] weights;
    private final int[] domainOf;
    private final int[][] nodesByDomain;
    private final int[] cap;
    private final int[] domainCap;

    private final int[][] assign;
    private final int[] load;
    private final int[] domainLoad;
    private long overflows;
    /** Domains by spare capacity while filling; null before. */
    private SpareOrder spareOrder;

    PlacementRun(List<NodeSpec> nodes, int pgCount, int replicas) {
        if (pgCount < 1 || replicas < 1) {
            throw new IllegalArgumentException("pgCount and replicas must be positive, got " + pgCount + " and " + replicas);
        }
        this.pgCount = pgCount;
        this.replicas = replicas;
        int n = nodes.size();
        ids = new String[n];
        weights = new double[n];
        domainOf = new int[n];
        Map<String, Integer> domainIndex = new LinkedHashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < n; i++) {
            NodeSpec node = nodes.get(i);
            if (seen.put(node.id(), i) != null) {
                throw new IllegalArgumentException("node id " + node.id() + " appears twice");
            }
            ids[i] = node.id();
            weights[i] = node.weight();
            domainOf[i] = domainIndex.computeIfAbsent(node.failureDomain(), d -> domainIndex.size());
        }
        int domains = domainIndex.size();
        int[] perDomain = new int[domains];
        for (int d : domainOf) {
            perDomain[d]++;
        }
        nodesByDomain = new int[domains][];
        for (int d = 0; d < domains; d++) {
            nodesByDomain[d] = new int[perDomain[d]];
        }
        int[] fill = new int[domains];
        for (int i = 0; i < n; i++) {
            nodesByDomain[domainOf[i]][fill[domainOf[i]]++] = i;
        }
        cap = LoadTargets.caps(weights, domainOf, domains, pgCount, replicas);
        domainCap = new int[domains];
        for (int d = 0; d < domains; d++) {
            long sum = 0;
            for (int i : nodesByDomain[d]) {
                sum += cap[i];
            }
            domainCap[d] = (int) Math.min(pgCount, sum);
        }
        assign = new int[pgCount][replicas];
        for (int[] slots : assign) {
            Arrays.fill(slots, EMPTY);
        }
        load = new int[n];
        domainLoad = new int[domains];
    }

    /** Places every PG, starting from {@code previous} (may be null). */
    Placement place(Placement previous) {
        if (previous != null) {
            keep(previous);
            trim();
        }
        fill();
        return new Placement(orderWithPrimaries(previous));
    }

    /** The fewest copies any placement within the caps must create, starting from {@code previous}. */
    long minimumMoves(Placement previous) {
        keep(previous);
        long moves = 0;
        for (int[] slots : assign) {
            for (int node : slots) {
                if (node == EMPTY) {
                    moves++;
                }
            }
        }
        for (int i = 0; i < load.length; i++) {
            moves += Math.max(0, load[i] - cap[i]);
        }
        return moves;
    }

    /** Copies placed above a node's cap because no repair was found (0 on a feasible cluster). */
    long overflows() {
        return overflows;
    }

    private void keep(Placement previous) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            index.put(ids[i], i);
        }
        for (int p = 0; p < Math.min(pgCount, previous.pgCount()); p++) {
            int r = 0;
            for (String id : previous.nodes(p)) {
                Integer node = index.get(id);
                if (r == replicas || node == null || cap[node] == 0 || usesDomain(p, domainOf[node])) {
                    continue;
                }
                set(p, r++, node);
            }
        }
    }

    private void trim() {
        List<List<Integer>> pgsOnOverloaded = new ArrayList<>(load.length);
        boolean any = false;
        for (int i = 0; i < load.length; i++) {
            boolean over = load[i] > cap[i];
            any |= over;
            pgsOnOverloaded.add(over ? new ArrayList<>() : null);
        }
        if (!any) {
            return;
        }
        for (int p = 0; p < pgCount; p++) {
            for (int node : assign[p]) {
                if (node != EMPTY && pgsOnOverloaded.get(node) != null) {
                    pgsOnOverloaded.get(node).add(p);
                }
            }
        }
        int[] topDomains = domainsBySpare(replicas + 1);
        for (int node = 0; node < load.length; node++) {
            List<Integer> pgs = pgsOnOverloaded.get(node);
            if (pgs == null) {
                continue;
            }
            int excess = load[node] - cap[node];
            long[] keyed = new long[pgs.size()];
            for (int k = 0; k < pgs.size(); k++) {
                int p = pgs.get(k);
                int score = relocationRoom(p, node, topDomains);
                // Highest room first, then a hash so that drops spread over PGs.
                keyed[k] = ((long) (Integer.MAX_VALUE - score) << 32) | (mix(p, node) & 0x7fffffffL);
            }
            Integer[] order = new Integer[pgs.size()];
            for (int k = 0; k < order.length; k++) {
                order[k] = k;
            }
            Arrays.sort(order, (a, b) -> Long.compare(keyed[a], keyed[b]));
            for (int k = 0; k < excess; k++) {
                int p = pgs.get(order[k]);
                clear(p, slotOf(p, node));
            }
        }
    }

    /** The spare capacity of the best domain PG p could use if it gave up its copy on {@code node}. */
    private int relocationRoom(int p, int node, int[] topDomains) {
        for (int d : topDomains) {
            if (d == domainOf[node] || !usesDomain(p, d)) {
                return Math.max(0, domainCap[d] - domainLoad[d]);
            }
        }
        return 0;
    }

    private int[] domainsBySpare(int count) {
        Integer[] order = new Integer[domainCap.length];
        for (int d = 0; d < order.length; d++) {
            order[d] = d;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(domainCap[b] - domainLoad[b], domainCap[a] - domainLoad[a]));
        int[] top = new int[Math.min(count, order.length)];
        for (int k = 0; k < top.length; k++) {
            top[k] = order[k];
        }
        return top;
    }

    private void fill() {
        int[] spares = new int[domainCap.length];
        for (int d = 0; d < spares.length; d++) {
            spares[d] = Math.max(0, domainCap[d] - domainLoad[d]);
        }
        spareOrder = new SpareOrder(spares, pgCount);
        for (int p = 0; p < pgCount; p++) {
            for (int r = 0; r < replicas; r++) {
                if (assign[p][r] != EMPTY) {
                    continue;
                }
                int node = pick(p);
                if (node == EMPTY) {
                    node = repair(p);
                }
                if (node == EMPTY) {
                    node = overflow(p);
                }
                set(p, r, node);
            }
        }
    }

    /**
     * The node with the most spare capacity in an allowed domain with the most spare capacity;
     * among equally spare domains, one chosen by a hash of the PG so that PGs spread.
     */
    private int pick(int p) {
        int rank = 0;
        while (rank < spareOrder.withSpare()) {
            int spare = spareOrder.spare(spareOrder.domainAt(rank));
            int start = spareOrder.blockStart(spare);
            int end = spareOrder.blockEnd(spare);
            int length = end - start;
            int offset = mix(p, length) % length;
            for (int k = 0; k < length; k++) {
                int d = spareOrder.domainAt(start + (offset + k) % length);
                if (!usesDomain(p, d)) {
                    return nodeWithMostSpare(p, d);
                }
            }
            rank = end;
        }
        return EMPTY;
    }

    private int nodeWithMostSpare(int p, int domain) {
        int best = EMPTY;
        int bestSpare = 0;
        int bestTie = 0;
        for (int node : nodesByDomain[domain]) {
            int spare = cap[node] - load[node];
            if (spare < bestSpare || spare <= 0) {
                continue;
            }
            int tie = mix(p, ~node);
            if (spare > bestSpare || tie > bestTie) {
                best = node;
                bestSpare = spare;
                bestTie = tie;
            }
        }
        return best;
    }

    /**
     * PG p has no allowed node with spare capacity: find a node y with spare capacity (in a
     * domain p already uses) and another PG q holding node x in a domain p does not use, such that
     * q may move from x to y. Then q moves to y and x is free for p. Returns x, or EMPTY.
     */
    private int repair(int p) {
        for (int y = 0; y < load.length; y++) {
            int dy = domainOf[y];
            if (cap[y] - load[y] <= 0 || domainCap[dy] - domainLoad[dy] <= 0) {
                continue;
            }
            for (int q = 0; q < pgCount; q++) {
                if (q == p || usesDomain(q, dy)) {
                    continue;
                }
                for (int s = 0; s < replicas; s++) {
                    int x = assign[q][s];
                    if (x != EMPTY && !usesDomain(p, domainOf[x])) {
                        clear(q, s);
                        set(q, s, y);
                        return x;
                    }
                }
            }
        }
        return EMPTY;
    }

    /** Last resort: the allowed node with the lowest load per weight, above its cap. */
    private int overflow(int p) {
        int best = EMPTY;
        double bestRatio = Double.MAX_VALUE;
        for (int node = 0; node < load.length; node++) {
            if (weights[node] <= 0 || usesDomain(p, domainOf[node])) {
                continue;
            }
            double ratio = (load[node] + 1) / weights[node];
            if (ratio < bestRatio) {
                best = node;
                bestRatio = ratio;
            }
        }
        if (best == EMPTY) {
            throw new IllegalStateException("PG " + p + " has no node left in an unused failure domain");
        }
        overflows++;
        return best;
    }

    /** Node lists with the primary first: the previous primary if it still fits, else the member with most room. */
    private List<List<String>> orderWithPrimaries(Placement previous) {
        int[] ones = new int[ids.length];
        for (int i = 0; i < ones.length; i++) {
            ones[i] = i;
        }
        int[] primaryCap = LoadTargets.caps(weights, ones, ids.length, pgCount, 1);
        int[] primaries = new int[ids.length];
        List<List<String>> result = new ArrayList<>(pgCount);
        for (int p = 0; p < pgCount; p++) {
            int[] members = assign[p];
            int chosen = EMPTY;
            if (previous != null && p < previous.pgCount() && !previous.nodes(p).isEmpty()) {
                String oldPrimary = previous.nodes(p).get(0);
                for (int node : members) {
                    if (ids[node].equals(oldPrimary) && primaries[node] < primaryCap[node]) {
                        chosen = node;
                    }
                }
            }
            if (chosen == EMPTY) {
                int bestRoom = Integer.MIN_VALUE;
                for (int node : members) {
                    int room = primaryCap[node] - primaries[node];
                    if (room > bestRoom) {
                        chosen = node;
                        bestRoom = room;
                    }
                }
            }
            primaries[chosen]++;
            List<String> ordered = new ArrayList<>(replicas);
            ordered.add(ids[chosen]);
            for (int node : members) {
                if (node != chosen) {
                    ordered.add(ids[node]);
                }
            }
            result.add(ordered);
        }
        return result;
    }

    private boolean usesDomain(int p, int domain) {
        for (int node : assign[p]) {
            if (node != EMPTY && domainOf[node] == domain) {
                return true;
            }
        }
        return false;
    }

    private int slotOf(int p, int node) {
        for (int s = 0; s < replicas; s++) {
            if (assign[p][s] == node) {
                return s;
            }
        }
        throw new IllegalStateException("PG " + p + " does not hold node " + ids[node]);
    }

    private void set(int p, int slot, int node) {
        assign[p][slot] = node;
        load[node]++;
        int d = domainOf[node];
        domainLoad[d]++;
        if (spareOrder != null && domainLoad[d] <= domainCap[d]) {
            spareOrder.decrement(d);
        }
    }

    private void clear(int p, int slot) {
        int node = assign[p][slot];
        assign[p][slot] = EMPTY;
        load[node]--;
        int d = domainOf[node];
        domainLoad[d]--;
        if (spareOrder != null && domainLoad[d] < domainCap[d]) {
            spareOrder.increment(d);
        }
    }

    /** A deterministic hash for tie-breaking, so equal candidates spread across PGs. */
    private static int mix(int a, int b) {
        long z = (a * 0x9E3779B97F4A7C15L) ^ (b * 0xC2B2AE3D27D4EB4FL);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (int) ((z ^ (z >>> 31)) & 0x7fffffff);
    }
}
