package io.jlb.core;

import java.util.PriorityQueue;

/**
 * Smooth weighted round-robin, as nginx does it.
 *
 * <p>Every step, each candidate's running score grows by its weight; the highest score wins (the first on a tie)
 * and drops by the total weight. Over a cycle of total-weight steps each candidate wins exactly its weight, spread
 * out (5,1,1 gives a,a,b,a,c,a,a) and the scores return to zero, so the cycle only depends on the weights. It is
 * therefore computed once per snapshot, reduced by the weights' gcd, and a pick is one array read at the rotation
 * position, which lives on the selector and survives rebuilds.
 *
 * <p>Building the exact cycle costs cycle × candidates steps. Past {@link #MAX_EXACT_WORK} a WF2Q schedule
 * (see {@link #earliestDeadline}) builds a cycle with the same fairness guarantee in cycle × log(candidates). Cycles longer than {@link #MAX_CYCLE} have their weights scaled down
 * proportionally, which rounds shares to within one pick in {@code MAX_CYCLE / candidates}.
 */
final class SmoothWeightedSelector implements Selector {
    static final int MAX_CYCLE = 1 << 22;
    static final long MAX_EXACT_WORK = 1L << 25;

    private final Rotation rotation = new Rotation();

    @Override
    public String name() {
        return "weighted";
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
        if (candidates.uniformWeights()) {
            return new RoundRobinSelector.Turns(rotation, n);
        }
        return new Schedule(rotation, cycle(candidates));
    }

    static int[] cycle(Candidates candidates) {
        int n = candidates.size();
        int[] weights = new int[n];
        int gcd = 0;
        for (int i = 0; i < n; i++) {
            gcd = gcd(gcd, candidates.weight(i));
        }
        long length = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = candidates.weight(i) / gcd;
            length += weights[i];
        }
        if (length > MAX_CYCLE) {
            long scaled = 0;
            for (int i = 0; i < n; i++) {
                weights[i] = (int) Math.max(1, weights[i] * (long) MAX_CYCLE / length);
                scaled += weights[i];
            }
            length = scaled;
        }
        return length * n <= MAX_EXACT_WORK ? exact(weights, (int) length) : earliestDeadline(weights, (int) length);
    }

    /** nginx's algorithm, step by step. */
    static int[] exact(int[] weights, int length) {
        int n = weights.length;
        long[] score = new long[n];
        int[] cycle = new int[length];
        for (int step = 0; step < length; step++) {
            int best = 0;
            for (int i = 0; i < n; i++) {
                score[i] += weights[i];
                if (score[i] > score[best]) {
                    best = i;
                }
            }
            score[best] -= length;
            cycle[step] = best;
        }
        return cycle;
    }

    /**
     * Worst-case fair weighted fair queueing (WF2Q) over one cycle: after {@code t} steps, a candidate that has
     * been picked k times is eligible once its k-th pick's start, k / w_i, is at most t / length; among eligible
     * candidates the earliest finish, (k + 1) / w_i, wins (lower index on a tie). One always is eligible, and no
     * candidate ever gets a whole pick ahead of its exact share, the same guarantee nginx's algorithm gives.
     */
    static int[] earliestDeadline(int[] weights, int length) {
        int n = weights.length;
        int[] picked = new int[n];
        PriorityQueue<Integer> waiting = new PriorityQueue<>(n, (a, b) -> {
            int c = Long.compare((long) picked[a] * weights[b], (long) picked[b] * weights[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        PriorityQueue<Integer> eligible = new PriorityQueue<>(n, (a, b) -> {
            int c = Long.compare((picked[a] + 1L) * weights[b], (picked[b] + 1L) * weights[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        for (int i = 0; i < n; i++) {
            waiting.add(i);
        }
        int[] cycle = new int[length];
        for (int step = 0; step < length; step++) {
            while (!waiting.isEmpty()) {
                int i = waiting.peek();
                if ((long) picked[i] * length > (long) step * weights[i]) {
                    break;
                }
                eligible.add(waiting.poll());
            }
            int i = eligible.poll();
            cycle[step] = i;
            picked[i]++;
            if (picked[i] < weights[i]) {
                waiting.add(i);
            }
        }
        return cycle;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    private static final class Schedule implements Picker {
        private final Rotation rotation;
        private final int[] cycle;

        Schedule(Rotation rotation, int[] cycle) {
            this.rotation = rotation;
            this.cycle = cycle;
        }

        @Override
        public int pick(PickContext context) {
            return cycle[(int) (rotation.next() % cycle.length)];
        }
    }
}
