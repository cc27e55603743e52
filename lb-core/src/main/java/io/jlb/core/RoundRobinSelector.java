package io.jlb.core;

import java.util.concurrent.atomic.AtomicLong;

/** Each candidate in turn. The position lives on the selector, so a pool change does not restart the rotation. */
final class RoundRobinSelector implements Selector {
    private final AtomicLong sequence = new AtomicLong();

    @Override
    public String name() {
        return "round-robin";
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
        return new Rotation(sequence, n);
    }

    /** {@code sequence mod n}: shared by the weighted selector when all weights are equal. */
    static final class Rotation implements Picker {
        private final AtomicLong sequence;
        private final int size;

        Rotation(AtomicLong sequence, int size) {
            this.sequence = sequence;
            this.size = size;
        }

        @Override
        public int pick(PickContext context) {
            return (int) ((sequence.getAndIncrement() & Long.MAX_VALUE) % size);
        }
    }
}
