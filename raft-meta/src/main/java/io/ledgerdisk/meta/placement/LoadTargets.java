package io.ledgerdisk.meta.placement;

/**
 * The most uniform integral load caps: the smallest level {@code c} such that nodes holding at
 * most {@code floor(c * weight)} copies, and domains at most one copy per PG, can hold every
 * copy. No placement has a lower maximum of load / weight, so placing within these caps is
 * optimal for uniformity.
 */
final class LoadTargets {

    private LoadTargets() {
    }

    /** Per-node caps; {@code domainOf[i]} is node i's domain index in {@code 0..domains-1}. */
    static int[] caps(double[] weights, int[] domainOf, int domains, int pgCount, int replicas) {
        long copies = (long) pgCount * replicas;
        double minWeight = Double.MAX_VALUE;
        for (double w : weights) {
            if (w > 0) {
                minWeight = Math.min(minWeight, w);
            }
        }
        double lo = 0;
        double hi = (copies + 1) / minWeight;
        if (capacity(hi, weights, domainOf, domains, pgCount) < copies) {
            throw new IllegalArgumentException("cannot place " + replicas + " copies of " + pgCount
                    + " PGs: fewer than " + replicas + " failure domains have weight");
        }
        for (int i = 0; i < 200 && hi - lo > hi * 1e-15; i++) {
            double mid = (lo + hi) / 2;
            if (capacity(mid, weights, domainOf, domains, pgCount) >= copies) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        int[] caps = new int[weights.length];
        for (int i = 0; i < weights.length; i++) {
            caps[i] = cap(hi, weights[i], pgCount);
        }
        return caps;
    }

    private static int cap(double level, double weight, int pgCount) {
        // A node never holds two copies of one PG, so it never needs more than pgCount.
        return (int) Math.min(pgCount, Math.floor(level * weight));
    }

    private static long capacity(double level, double[] weights, int[] domainOf, int domains, int pgCount) {
        long[] perDomain = new long[domains];
        for (int i = 0; i < weights.length; i++) {
            perDomain[domainOf[i]] += cap(level, weights[i], pgCount);
        }
        long total = 0;
        for (long c : perDomain) {
            total += Math.min(pgCount, c);
        }
        return total;
    }
}
