package io.jlb.core;

/** A random candidate, in proportion to weight. */
final class RandomSelector implements Selector {
    private final Rng rng;

    RandomSelector(Rng rng) {
        this.rng = rng;
    }

    @Override
    public String name() {
        return "random";
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
        WeightedSampler sampler = WeightedSampler.of(candidates);
        return context -> sampler.next(rng);
    }
}
