package io.jlb.core;

/**
 * The candidate with the fewest active leases per unit of weight, ties broken at random. Up to
 * {@link #SCAN_LIMIT} candidates a pick scans them all from a random start; above that a {@link LoadTree} keeps
 * the least loaded candidate at its root, updated whenever a lease opens or closes, so a pick is one read.
 */
final class LeastConnectionsSelector implements Selector {
    static final int SCAN_LIMIT = 64;

    private final Rng rng;

    LeastConnectionsSelector(Rng rng) {
        this.rng = rng;
    }

    @Override
    public String name() {
        return "least-connections";
    }

    @Override
    public Picker picker(Candidates candidates) {
        int n = candidates.size();
        if (n == 0) {
            return Picker.NONE;
        }
        if (n == 1) {
            candidates.member(0).watchLoad(LoadWatcher.NONE);
            return context -> 0;
        }
        Member[] members = new Member[n];
        int[] weights = new int[n];
        for (int i = 0; i < n; i++) {
            members[i] = candidates.member(i);
            weights[i] = candidates.weight(i);
        }
        if (n > SCAN_LIMIT) {
            return new LoadTree(members, weights);
        }
        for (Member m : members) {
            m.watchLoad(LoadWatcher.NONE);
        }
        return candidates.uniformWeights() ? new Unweighted(members, rng) : new Weighted(members, weights, rng);
    }

    private static final class Unweighted implements Picker {
        private final Member[] members;
        private final Rng rng;

        Unweighted(Member[] members, Rng rng) {
            this.members = members;
            this.rng = rng;
        }

        @Override
        public int pick(PickContext context) {
            int n = members.length;
            int i = rng.nextInt(n);
            int best = i;
            int bestActive = members[i].active();
            for (int k = 1; k < n && bestActive > 0; k++) {
                if (++i == n) {
                    i = 0;
                }
                int active = members[i].active();
                if (active < bestActive) {
                    best = i;
                    bestActive = active;
                }
            }
            return best;
        }
    }

    private static final class Weighted implements Picker {
        private final Member[] members;
        private final int[] weights;
        private final Rng rng;

        Weighted(Member[] members, int[] weights, Rng rng) {
            this.members = members;
            this.weights = weights;
            this.rng = rng;
        }

        @Override
        public int pick(PickContext context) {
            int n = members.length;
            int i = rng.nextInt(n);
            int best = i;
            long bestActive = members[i].active();
            long bestWeight = weights[i];
            for (int k = 1; k < n && bestActive > 0; k++) {
                if (++i == n) {
                    i = 0;
                }
                long active = members[i].active();
                if (active * bestWeight < bestActive * weights[i]) {
                    best = i;
                    bestActive = active;
                    bestWeight = weights[i];
                }
            }
            return best;
        }
    }
}
