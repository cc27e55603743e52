package io.jlb.core;

/**
 * Power of two choices: draw two distinct candidates in proportion to weight and take the one with fewer active
 * leases per unit of weight. Nearly least-connections balance at constant cost, and no herd onto one
 * momentarily idle backend, which is why HAProxy, Envoy and Finagle default to it.
 */
final class PowerOfTwoChoicesSelector implements Selector {
    private final Rng rng;

    PowerOfTwoChoicesSelector(Rng rng) {
        this.rng = rng;
    }

    @Override
    public String name() {
        return "p2c";
    }

    @Override
    public Picker picker(Candidates candidates) {
        int n = candidates.size();
        if (n == 0) {
            return Picker.NONE;
        }
        if (n == 1) {
            return context -> 0;
        }
        Member[] members = new Member[n];
        int[] weights = new int[n];
        for (int i = 0; i < n; i++) {
            members[i] = candidates.member(i);
            weights[i] = candidates.weight(i);
        }
        return new TwoChoices(members, weights, WeightedSampler.of(candidates), rng);
    }

    private static final class TwoChoices implements Picker {
        private final Member[] members;
        private final int[] weights;
        private final WeightedSampler sampler;
        private final Rng rng;

        TwoChoices(Member[] members, int[] weights, WeightedSampler sampler, Rng rng) {
            this.members = members;
            this.weights = weights;
            this.sampler = sampler;
            this.rng = rng;
        }

        @Override
        public int pick(PickContext context) {
            int a = sampler.next(rng);
            int b = sampler.nextOther(rng, a);
            long loadA = (long) members[a].active() * weights[b];
            long loadB = (long) members[b].active() * weights[a];
            return loadB < loadA ? b : a;
        }
    }
}
