package io.jlb.core;

import java.util.concurrent.atomic.LongAdder;

/**
 * The members a {@link Selector} may choose among in one snapshot of a pool, with their effective weights.
 *
 * <p>Immutable. Built by the pool's writer whenever membership, weights, health or a slow-start step change, and
 * handed to {@link Selector#picker(Candidates)}. Effective weights include slow start: while a backend ramps up,
 * every weight is scaled by {@link #RAMP_SCALE} and the ramping one's by its progress.
 */
public final class Candidates {
    /** The factor weights are multiplied by while any candidate is in slow start. */
    public static final int RAMP_SCALE = 16;

    static final Candidates EMPTY = new Candidates(new Member[0], new int[0], Ticker.system(), new LongAdder());

    private final Member[] members;
    private final int[] weights;
    private final long totalWeight;
    private final boolean uniform;
    private final Ticker ticker;
    private final LongAdder poolActive;

    Candidates(Member[] members, int[] weights, Ticker ticker, LongAdder poolActive) {
        this.members = members;
        this.weights = weights;
        this.ticker = ticker;
        this.poolActive = poolActive;
        long sum = 0;
        boolean same = true;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i];
            same &= weights[i] == weights[0];
        }
        this.totalWeight = sum;
        this.uniform = same;
    }

    /** How many candidates there are. */
    public int size() {
        return members.length;
    }

    /** Whether there are none. */
    public boolean isEmpty() {
        return members.length == 0;
    }

    /** The candidate at {@code index}. */
    public Member member(int index) {
        return members[index];
    }

    /** The effective weight of the candidate at {@code index}: at least 1. */
    public int weight(int index) {
        return weights[index];
    }

    /** The sum of the effective weights. */
    public long totalWeight() {
        return totalWeight;
    }

    /** Whether every candidate has the same effective weight. */
    public boolean uniformWeights() {
        return uniform;
    }

    /** The pool's ticker, for selectors that weigh time (latency decay). */
    public Ticker ticker() {
        return ticker;
    }

    /** Active leases over the whole pool, candidates or not: for bounded-load hashing. */
    public long poolActive() {
        return poolActive.sum();
    }
}
