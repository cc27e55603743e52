package io.jlb.core;

/**
 * Draws a candidate index in proportion to weight in O(1): Vose's alias method. Each of n columns holds a
 * probability and an alias; a draw picks a column uniformly, then keeps it or takes its alias. With equal weights
 * it is a plain uniform draw.
 */
final class WeightedSampler {
    private static final int SCALE = 1 << 30;

    private final int size;
    private final int[] threshold;
    private final int[] alias;

    private WeightedSampler(int size, int[] threshold, int[] alias) {
        this.size = size;
        this.threshold = threshold;
        this.alias = alias;
    }

    static WeightedSampler of(Candidates candidates) {
        int n = candidates.size();
        if (candidates.uniformWeights()) {
            return new WeightedSampler(n, null, null);
        }
        double total = candidates.totalWeight();
        double[] scaled = new double[n];
        int[] small = new int[n];
        int[] large = new int[n];
        int smallCount = 0;
        int largeCount = 0;
        for (int i = 0; i < n; i++) {
            scaled[i] = candidates.weight(i) * n / total;
            if (scaled[i] < 1.0) {
                small[smallCount++] = i;
            } else {
                large[largeCount++] = i;
            }
        }
        int[] threshold = new int[n];
        int[] alias = new int[n];
        while (smallCount > 0 && largeCount > 0) {
            int s = small[--smallCount];
            int l = large[--largeCount];
            threshold[s] = (int) (scaled[s] * SCALE);
            alias[s] = l;
            scaled[l] = scaled[l] + scaled[s] - 1.0;
            if (scaled[l] < 1.0) {
                small[smallCount++] = l;
            } else {
                large[largeCount++] = l;
            }
        }
        while (largeCount > 0) {
            int l = large[--largeCount];
            threshold[l] = SCALE;
            alias[l] = l;
        }
        while (smallCount > 0) {
            int s = small[--smallCount];
            threshold[s] = SCALE;
            alias[s] = s;
        }
        return new WeightedSampler(n, threshold, alias);
    }

    /** One draw from 64 random bits: the high half picks the column, the low 30 bits toss its coin. */
    int next(Rng rng) {
        long bits = rng.nextLong();
        int column = (int) (((bits >>> 32) * size) >>> 32);
        if (threshold == null) {
            return column;
        }
        return (int) (bits & (SCALE - 1)) < threshold[column] ? column : alias[column];
    }

    /** A second draw distinct from {@code first}; needs at least two candidates. */
    int nextOther(Rng rng, int first) {
        if (threshold == null) {
            int other = rng.nextInt(size - 1);
            return other >= first ? other + 1 : other;
        }
        // Rejection keeps the weighted distribution; four misses in a row mean one candidate dominates.
        for (int attempt = 0; attempt < 4; attempt++) {
            int other = next(rng);
            if (other != first) {
                return other;
            }
        }
        return first + 1 == size ? 0 : first + 1;
    }
}
