package io.ledgerdisk.meta.placement;

/**
 * Domains ordered by spare capacity, most first, with O(1) updates when a spare changes by
 * one: the order array is split into blocks of equal spare, and {@code above[v]} is the number
 * of domains whose spare exceeds {@code v} (so block {@code v} is {@code order[above[v]..above[v-1])}).
 * Not thread-safe.
 */
final class SpareOrder {

    private final int[] order;
    private final int[] position;
    private final int[] spare;
    private final int[] above;

    /** Orders domains by these spares (all {@code >= 0}, at most {@code maxSpare}). */
    SpareOrder(int[] spares, int maxSpare) {
        int n = spares.length;
        spare = spares.clone();
        order = new int[n];
        position = new int[n];
        above = new int[maxSpare + 2];
        int[] count = new int[maxSpare + 2];
        for (int s : spare) {
            if (s < 0 || s > maxSpare) {
                throw new IllegalArgumentException("spare " + s + " outside 0.." + maxSpare);
            }
            count[s]++;
        }
        // above[v] = number with spare > v
        int acc = 0;
        for (int v = maxSpare + 1; v >= 0; v--) {
            above[v] = acc;
            acc += count[v];
        }
        int[] next = new int[maxSpare + 2];
        for (int v = 0; v <= maxSpare; v++) {
            next[v] = above[v];
        }
        for (int d = 0; d < n; d++) {
            int at = next[spare[d]]++;
            order[at] = d;
            position[d] = at;
        }
    }

    /** The number of domains with spare capacity left. */
    int withSpare() {
        return above[0];
    }

    /** The domain at rank {@code i} (0 = most spare). */
    int domainAt(int i) {
        return order[i];
    }

    /** The spare of a domain. */
    int spare(int domain) {
        return spare[domain];
    }

    /** The rank just past the block of domains whose spare equals {@code s}. */
    int blockEnd(int s) {
        return above[s - 1];
    }

    /** The first rank of the block of domains whose spare equals {@code s}. */
    int blockStart(int s) {
        return above[s];
    }

    /** One copy more in the domain. */
    void decrement(int domain) {
        int s = spare[domain];
        int last = above[s - 1] - 1;
        swap(position[domain], last);
        above[s - 1]--;
        spare[domain] = s - 1;
    }

    /** One copy fewer in the domain. */
    void increment(int domain) {
        int s = spare[domain];
        int first = above[s];
        swap(position[domain], first);
        above[s]++;
        spare[domain] = s + 1;
    }

    private void swap(int i, int j) {
        int a = order[i];
        int b = order[j];
        order[i] = b;
        order[j] = a;
        position[b] = i;
        position[a] = j;
    }
}
