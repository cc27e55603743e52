package io.jlb.core;

/**
 * Finagle's peak-EWMA power of two choices: of two weighted random candidates, take the one whose cost,
 * peak-EWMA latency × (active + 1) / weight, is lower. The average jumps up to any slower sample at once and decays
 * with time, so a backend that turns slow is avoided quickly and retried once it recovers. A candidate with leases
 * in flight but no latency sample yet costs a large penalty, so that unmeasured backends are probed gently.
 */
final class PeakEwmaSelector implements Selector {
    /** Cost of a candidate with requests in flight and no latency sample: 1000 s. */
    static final double PENALTY_NANOS = 1e12;

    private final Rng rng;

    PeakEwmaSelector(Rng rng) {
        this.rng = rng;
    }

    @Override
    public String name() {
        return "peak-ewma";
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
        return new LatencyChoices(members, weights, WeightedSampler.of(candidates), candidates.ticker(), rng);
    }

    private static final class LatencyChoices implements Picker {
        private final Member[] members;
        private final int[] weights;
        private final WeightedSampler sampler;
        private final Ticker ticker;
        private final Rng rng;

        LatencyChoices(Member[] members, int[] weights, WeightedSampler sampler, Ticker ticker, Rng rng) {
            this.members = members;
            this.weights = weights;
            this.sampler = sampler;
            this.ticker = ticker;
            this.rng = rng;
        }

        @Override
        public int pick(PickContext context) {
            int a = sampler.next(rng);
            int b = sampler.nextOther(rng, a);
            long now = ticker.read();
            return cost(b, now) < cost(a, now) ? b : a;
        }

        private double cost(int i, long now) {
            Member m = members[i];
            int active = m.active();
            double latency = m.decayedEwma(now);
            double cost = latency == 0 && active > 0 ? PENALTY_NANOS + active : latency * (active + 1);
            return cost / weights[i];
        }
    }
}
