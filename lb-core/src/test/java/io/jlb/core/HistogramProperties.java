package io.jlb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class HistogramProperties {
    @Property
    void everyValueLiesInItsBucketAndBucketsAreNarrow(@ForAll @LongRange(min = 0, max = 1L << 40) long v) {
        int i = Histogram.index(v);
        long lo = Histogram.lowerBound(i);
        long hi = Histogram.upperBound(i);
        assertTrue(lo <= v && v <= hi, v + " in [" + lo + ", " + hi + "]");
        assertTrue(hi - lo + 1 <= Math.max(1, lo / Histogram.SUB_COUNT), "width of bucket " + i);
        if (i + 1 < Histogram.BUCKETS) {
            assertEquals(hi + 1, Histogram.lowerBound(i + 1), "buckets tile the range");
        }
    }

    @Property
    void quantilesFallInTheBucketOfTheExactValue(
            @ForAll @Size(min = 1, max = 500) List<@LongRange(min = 0, max = 10_000_000_000L) Long> values,
            @ForAll @DoubleRange(min = 0.0, max = 1.0) double q) {
        Histogram h = new Histogram();
        values.forEach(h::record);
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        long exact = sorted.get((int) Math.max(0, Math.ceil(q * sorted.size()) - 1));
        long reported = h.quantile(q);
        assertEquals(Histogram.index(exact), Histogram.index(reported), "q=" + q + " exact=" + exact + " got=" + reported);
        assertTrue(Math.abs(reported - exact) <= Math.max(1, exact / 32), "within half a bucket");
        assertEquals(values.size(), h.count());
        assertEquals(values.stream().mapToLong(Long::longValue).sum(), h.sum());
    }

    @Property
    void aWindowBetweenTwoSnapshotsHoldsExactlyTheValuesRecordedBetween(
            @ForAll @Size(max = 200) List<@LongRange(min = 0, max = 10_000_000_000L) Long> before,
            @ForAll @Size(min = 1, max = 200) List<@LongRange(min = 0, max = 10_000_000_000L) Long> during,
            @ForAll @DoubleRange(min = 0.0, max = 1.0) double q) {
        Histogram h = new Histogram();
        before.forEach(h::record);
        Histogram.Snapshot start = h.snapshot();
        during.forEach(h::record);
        Histogram.Snapshot window = h.snapshot().since(start);
        Histogram alone = new Histogram();
        during.forEach(alone::record);
        assertEquals(during.size(), window.count());
        assertEquals(alone.sum(), window.sum());
        assertEquals(alone.quantile(q), window.quantile(q));
        assertEquals(alone.snapshot().countAtMost(1_000_000), window.countAtMost(1_000_000));
    }

    @Example
    void concurrentRecordingLosesNothing() throws Exception {
        Histogram h = new Histogram();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            int seed = t;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 100_000; i++) {
                    h.record((i * 7919L + seed) % 5_000_000);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(400_000, h.count());
        assertEquals(400_000, h.snapshot().countAtMost(Long.MAX_VALUE));
        long expectedSum = 0;
        for (int seed = 0; seed < 4; seed++) {
            for (int i = 0; i < 100_000; i++) {
                expectedSum += (i * 7919L + seed) % 5_000_000;
            }
        }
        assertEquals(expectedSum, h.sum());
    }

    @Example
    void anEmptyHistogramAnswersZero() {
        assertEquals(0, new Histogram().quantile(0.99));
        assertEquals(0.0, new Histogram().mean());
    }
}
