package io.jlb.core;

import java.util.Arrays;

/**
 * Consistent hashing on a ring (ketama-style), optionally with bounded loads.
 *
 * <p>Each candidate owns {@code weight × perWeight} points on a 64-bit ring, placed by hashing its <em>name</em>,
 * never its index, so the points of the others stay put when a backend comes or goes: removing one of N moves
 * only the keys it owned (about 1/N) and adding one moves keys only to the newcomer. {@code perWeight} is 256 (shares within about 6% of their weights)
 * unless the ring would exceed {@link #MAX_POINTS}. A key goes to the first point at or after its hash.
 *
 * <p>Ring entries pack the point's high bits with the owner's index in the low {@link #INDEX_BITS} bits, so the
 * ring is one sorted {@code long[]}; a 65,536-entry table of bucket starts (by the top 16 bits) narrows each lookup
 * to a few entries, so a pick costs about the same at 3 backends as at 10,000.
 *
 * <p>With a load factor c, a key skips points whose owner already holds at least c × its weighted share of the
 * pool's active leases (Mirrokni et al., "Consistent Hashing with Bounded Loads"): no backend exceeds c × the mean,
 * and keys move only as far as needed.
 */
final class RingHashSelector implements Selector {
    static final int POINTS_PER_WEIGHT = 256;
    static final int MAX_POINTS = 1 << 22;
    static final int INDEX_BITS = 20;
    static final int MAX_CANDIDATES = 1 << INDEX_BITS;
    private static final long INDEX_MASK = MAX_CANDIDATES - 1;
    private static final int BUCKET_COUNT = 1 << 16;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final double loadFactor;
    private final Rng rng;
    private final String name;

    RingHashSelector(double loadFactor, Rng rng) {
        this(loadFactor, rng, loadFactor > 0 ? "ring-hash-bounded" : "ring-hash");
    }

    RingHashSelector(double loadFactor, Rng rng, String name) {
        this.loadFactor = loadFactor;
        this.rng = rng;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Picker picker(Candidates candidates) {
        int n = candidates.size();
        if (n == 0) {
            return Picker.NONE;
        }
        if (n > MAX_CANDIDATES) {
            throw new IllegalStateException("ring-hash: " + n + " candidates (expected: at most " + MAX_CANDIDATES + ")");
        }
        Member[] members = new Member[n];
        int[] weights = new int[n];
        long totalWeight = 0;
        for (int i = 0; i < n; i++) {
            members[i] = candidates.member(i);
            weights[i] = members[i].backend().weight();
            totalWeight += weights[i];
        }
        int perWeight = (int) Math.max(1, Math.min(POINTS_PER_WEIGHT, MAX_POINTS / totalWeight));
        long[] ring = new long[(int) (totalWeight * perWeight)];
        int k = 0;
        for (int i = 0; i < n; i++) {
            long seed = Hashing.hash(members[i].backend().name());
            for (int j = 1, points = weights[i] * perWeight; j <= points; j++) {
                ring[k++] = (Hashing.mix(seed + j * GOLDEN) & ~INDEX_MASK) | i;
            }
        }
        Arrays.sort(ring);
        int[] bucketStart = new int[BUCKET_COUNT + 1];
        int pos = 0;
        for (int b = 0; b <= BUCKET_COUNT; b++) {
            while (pos < ring.length && bucket(ring[pos]) < b) {
                pos++;
            }
            bucketStart[b] = pos;
        }
        Ring r = new Ring(ring, bucketStart, rng);
        return loadFactor > 0 ? new BoundedRing(r, members, weights, totalWeight, loadFactor, candidates) : r;
    }

    /** Maps signed ring order onto buckets 0..65535 by the top 16 bits. */
    private static int bucket(long entry) {
        return (int) (entry >> 48) + (BUCKET_COUNT >> 1);
    }

    private static final class Ring implements Picker {
        private final long[] ring;
        private final int[] bucketStart;
        private final Rng rng;

        Ring(long[] ring, int[] bucketStart, Rng rng) {
            this.ring = ring;
            this.bucketStart = bucketStart;
            this.rng = rng;
        }

        @Override
        public int pick(PickContext context) {
            return (int) (ring[position(context)] & INDEX_MASK);
        }

        /** The ring position serving the context's hash (a random one when it has none). */
        int position(PickContext context) {
            if (!context.hasHash()) {
                return rng.nextInt(ring.length);
            }
            long target = context.hash() & ~INDEX_MASK;
            int b = bucket(target);
            int lo = bucketStart[b];
            int hi = bucketStart[b + 1];
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (ring[mid] < target) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo == ring.length ? 0 : lo;
        }

        int owner(int position) {
            return (int) (ring[position] & INDEX_MASK);
        }

        int size() {
            return ring.length;
        }
    }

    private static final class BoundedRing implements Picker {
        private final Ring ring;
        private final Member[] members;
        private final int[] weights;
        private final double capacityPerWeight;
        private final Candidates candidates;

        BoundedRing(Ring ring, Member[] members, int[] weights, long totalWeight, double loadFactor,
                Candidates candidates) {
            this.ring = ring;
            this.members = members;
            this.weights = weights;
            this.capacityPerWeight = loadFactor / totalWeight;
            this.candidates = candidates;
        }

        @Override
        public int pick(PickContext context) {
            int pos = ring.position(context);
            double perWeight = capacityPerWeight * (candidates.poolActive() + 1);
            for (int step = 0, size = ring.size(); step < size; step++) {
                int owner = ring.owner(pos);
                if (members[owner].active() < Math.ceil(perWeight * weights[owner])) {
                    return owner;
                }
                if (++pos == size) {
                    pos = 0;
                }
            }
            return ring.owner(pos);
        }
    }
}
