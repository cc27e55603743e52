package io.jlb.core;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A histogram of non-negative long values (latencies in nanoseconds, sizes in bytes), recorded from any thread
 * without locks or allocation.
 *
 * <p>Log-linear buckets, in the style of HdrHistogram: values below 16 have a bucket each; above, every power of two
 * is split into 16 equal sub-buckets, so a bucket's width is at most 1/16 of its lower bound and any reported value
 * is within 6.25% of the true one. Values up to 2^40 (18 minutes in nanoseconds) are told apart; larger ones land in
 * the last bucket. 656 buckets: 5 KiB.
 *
 * <pre>{@code
 * Histogram latency = new Histogram();
 * latency.record(System.nanoTime() - start);
 * long p99 = latency.quantile(0.99);
 * }</pre>
 */
public final class Histogram {
    static final int SUB_BITS = 4;
    static final int SUB_COUNT = 1 << SUB_BITS;
    static final int MAX_EXPONENT = 40;
    static final int BUCKETS = SUB_COUNT + (MAX_EXPONENT - SUB_BITS + 1) * SUB_COUNT;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final LongAdder count = new LongAdder();
    private final LongAdder sum = new LongAdder();

    /** An empty histogram. */
    public Histogram() {}

    /** Adds one value; negative values count as 0. */
    public void record(long value) {
        long v = Math.max(0, value);
        counts.getAndIncrement(index(v));
        count.increment();
        sum.add(v);
    }

    /** How many values were recorded. */
    public long count() {
        return count.sum();
    }

    /** The sum of the recorded values. */
    public long sum() {
        return sum.sum();
    }

    /** The mean, or 0 when empty. */
    public double mean() {
        long n = count();
        return n == 0 ? 0 : (double) sum() / n;
    }

    /**
     * The value below which a fraction {@code q} of the recorded values fall (within the bucket error): the
     * midpoint of the bucket holding the value of rank ceil(q × count). 0 when empty.
     */
    public long quantile(double q) {
        return snapshot().quantile(q);
    }

    /** A consistent copy of the bucket counts, for quantiles and exporters. */
    public Snapshot snapshot() {
        long[] c = new long[BUCKETS];
        long n = 0;
        for (int i = 0; i < BUCKETS; i++) {
            c[i] = counts.get(i);
            n += c[i];
        }
        return new Snapshot(c, n, sum());
    }

    static int index(long v) {
        if (v < SUB_COUNT) {
            return (int) v;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(v);
        if (exponent > MAX_EXPONENT) {
            return BUCKETS - 1;
        }
        int shift = exponent - SUB_BITS;
        int sub = (int) (v >>> shift) - SUB_COUNT;
        return SUB_COUNT + shift * SUB_COUNT + sub;
    }

    /** The smallest value of bucket {@code i}. */
    static long lowerBound(int i) {
        if (i < SUB_COUNT) {
            return i;
        }
        int shift = (i - SUB_COUNT) / SUB_COUNT;
        int sub = (i - SUB_COUNT) % SUB_COUNT;
        return (long) (SUB_COUNT + sub) << shift;
    }

    /** The largest value of bucket {@code i}. */
    static long upperBound(int i) {
        if (i < SUB_COUNT) {
            return i;
        }
        int shift = (i - SUB_COUNT) / SUB_COUNT;
        return lowerBound(i) + (1L << shift) - 1;
    }

    /** A point-in-time copy of a histogram. Immutable. */
    public static final class Snapshot {
        private final long[] counts;
        private final long count;
        private final long sum;

        Snapshot(long[] counts, long count, long sum) {
            this.counts = counts;
            this.count = count;
            this.sum = sum;
        }

        /** How many values. */
        public long count() {
            return count;
        }

        /**
         * The values recorded between {@code earlier} and this snapshot of the same histogram: quantiles of a
         * recent window (the last second, the last ten) rather than of all time.
         */
        public Snapshot since(Snapshot earlier) {
            long[] c = new long[counts.length];
            long n = 0;
            for (int i = 0; i < c.length; i++) {
                c[i] = Math.max(0, counts[i] - earlier.counts[i]);
                n += c[i];
            }
            return new Snapshot(c, n, Math.max(0, sum - earlier.sum));
        }

        /** Their sum. */
        public long sum() {
            return sum;
        }

        /** See {@link Histogram#quantile(double)}. */
        public long quantile(double q) {
            if (!(q >= 0 && q <= 1)) {
                throw new IllegalArgumentException("q: " + q + " (expected: 0 to 1)");
            }
            if (count == 0) {
                return 0;
            }
            long rank = Math.max(1, (long) Math.ceil(q * count));
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (seen >= rank) {
                    return (lowerBound(i) + upperBound(i)) / 2;
                }
            }
            return upperBound(counts.length - 1);
        }

        /** How many values are at most {@code bound} (exact below 16; counted by whole buckets above). */
        public long countAtMost(long bound) {
            long n = 0;
            for (int i = 0; i < counts.length && upperBound(i) <= bound; i++) {
                n += counts[i];
            }
            return n;
        }
    }
}
