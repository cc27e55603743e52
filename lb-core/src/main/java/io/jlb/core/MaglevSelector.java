package io.jlb.core;

/**
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016), weighted, optionally with bounded loads.
 *
 * <p>Every candidate has a permutation of the table's slots derived from its <em>name</em> (offset and skip from
 * two hashes). Candidates take turns claiming their next preferred free slot until the table is full; a candidate
 * of weight w takes w turns for every {@code maxWeight} rounds. A pick is one table read. Because preferences
 * depend only on names, removing one of N backends remaps its own slots plus a few percent of the others'.
 *
 * <p>The table size is the smallest prime in {@link #SIZES} that is at least 100 × candidates, so that shares are
 * within about 1% of their weights; crossing a size step (past 655, 1310, ... candidates) rebuilds the table from
 * scratch and remaps keys widely, as any change of Maglev table size does.
 */
final class MaglevSelector implements Selector {
    static final int[] SIZES = {65_537, 131_071, 262_139, 524_287, 1_048_573, 2_097_143, 4_194_301};
    private static final int SLOTS_PER_CANDIDATE = 100;

    private final double loadFactor;
    private final Rng rng;

    MaglevSelector(double loadFactor, Rng rng) {
        this.loadFactor = loadFactor;
        this.rng = rng;
    }

    @Override
    public String name() {
        return loadFactor > 0 ? "maglev-bounded" : "maglev";
    }

    @Override
    public Picker picker(Candidates candidates) {
        int n = candidates.size();
        if (n == 0) {
            return Picker.NONE;
        }
        int size = tableSize(n);
        Member[] members = new Member[n];
        int[] weights = new int[n];
        long totalWeight = 0;
        for (int i = 0; i < n; i++) {
            members[i] = candidates.member(i);
            weights[i] = members[i].backend().weight();
            totalWeight += weights[i];
        }
        int[] table = populate(members, weights, size);
        Table t = new Table(table, rng);
        return loadFactor > 0 ? new BoundedTable(t, members, weights, loadFactor / totalWeight, candidates) : t;
    }

    static int tableSize(int candidates) {
        long wanted = (long) candidates * SLOTS_PER_CANDIDATE;
        for (int size : SIZES) {
            if (size >= wanted) {
                return size;
            }
        }
        if (candidates >= SIZES[SIZES.length - 1]) {
            throw new IllegalStateException("maglev: " + candidates + " candidates (expected: fewer than "
                    + SIZES[SIZES.length - 1] + ")");
        }
        return SIZES[SIZES.length - 1];
    }

    static int[] populate(Member[] members, int[] weights, int size) {
        int n = members.length;
        long[] offset = new long[n];
        long[] skip = new long[n];
        long[] next = new long[n];
        int maxWeight = 1;
        for (int i = 0; i < n; i++) {
            long h1 = Hashing.hash(members[i].backend().name());
            long h2 = Hashing.mix(h1 ^ 0x5bd1e9955bd1e995L);
            offset[i] = Long.remainderUnsigned(h1, size);
            skip[i] = Long.remainderUnsigned(h2, size - 1) + 1;
            maxWeight = Math.max(maxWeight, weights[i]);
        }
        int[] table = new int[size];
        java.util.Arrays.fill(table, -1);
        long[] credit = new long[n];
        int filled = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                credit[i] += weights[i];
                if (credit[i] < maxWeight) {
                    continue;
                }
                credit[i] -= maxWeight;
                int slot;
                do {
                    slot = (int) ((offset[i] + next[i] * skip[i]) % size);
                    next[i]++;
                } while (table[slot] >= 0);
                table[slot] = i;
                if (++filled == size) {
                    return table;
                }
            }
        }
    }

    private static final class Table implements Picker {
        private final int[] table;
        private final Rng rng;

        Table(int[] table, Rng rng) {
            this.table = table;
            this.rng = rng;
        }

        @Override
        public int pick(PickContext context) {
            return table[slot(context)];
        }

        int slot(PickContext context) {
            if (!context.hasHash()) {
                return rng.nextInt(table.length);
            }
            // Lemire's multiply-shift maps the hash's high 32 bits onto [0, size) without a division.
            return (int) (((context.hash() >>> 32) * table.length) >>> 32);
        }

        int owner(int slot) {
            return table[slot];
        }

        int size() {
            return table.length;
        }
    }

    private static final class BoundedTable implements Picker {
        private final Table table;
        private final Member[] members;
        private final int[] weights;
        private final double capacityPerWeight;
        private final Candidates candidates;

        BoundedTable(Table table, Member[] members, int[] weights, double capacityPerWeight, Candidates candidates) {
            this.table = table;
            this.members = members;
            this.weights = weights;
            this.capacityPerWeight = capacityPerWeight;
            this.candidates = candidates;
        }

        @Override
        public int pick(PickContext context) {
            int slot = table.slot(context);
            double perWeight = capacityPerWeight * (candidates.poolActive() + 1);
            for (int step = 0, size = table.size(); step < size; step++) {
                int owner = table.owner(slot);
                if (members[owner].active() < Math.ceil(perWeight * weights[owner])) {
                    return owner;
                }
                if (++slot == size) {
                    slot = 0;
                }
            }
            return table.owner(slot);
        }
    }
}
