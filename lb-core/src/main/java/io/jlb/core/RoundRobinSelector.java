package io.jlb.core;

/** Each candidate in turn. The position lives on the selector, so a pool change does not restart the rotation. */
final class RoundRobinSelector implements Selector {
    private final Rotation rotation = new Rotation();

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
        return new Turns(rotation, n);
    }

    /** {@code position mod n}: shared by the weighted selector when all weights are equal. */
    static final class Turns implements Picker {
        private final Rotation rotation;
        private final int size;

        Turns(Rotation rotation, int size) {
            this.rotation = rotation;
            this.size = size;
        }

        @Override
        public int pick(PickContext context) {
            return (int) (rotation.next() % size);
        }
    }
}
