package io.jlb.http;

import io.jlb.core.Histogram;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last minute of a set of series, one sample a second: the rate of a counter and the p99 of the values a
 * histogram took in that second. What the status page draws as sparklines; sampled off the event loops.
 */
final class Trends {
    static final int SECONDS = 60;

    private final Map<Object, Series> series = new ConcurrentHashMap<>();

    /** Records one sample of the series named {@code key}; the first call only sets its starting point. */
    void sample(Object key, long total, Histogram latencies, long nowNanos) {
        series.computeIfAbsent(key, k -> new Series()).sample(total, latencies.snapshot(), nowNanos);
    }

    /** Forgets every series whose key is not in {@code live} (a removed backend, say). */
    void retain(Set<?> live) {
        series.keySet().retainAll(live);
    }

    /** The series named {@code key}, or null before its first sample. */
    Series get(Object key) {
        return series.get(key);
    }

    /** One series: rates per second and per-second p99s, oldest first. */
    static final class Series {
        private final double[] rates = new double[SECONDS];
        private final double[] p99s = new double[SECONDS];
        private int next;
        private int size;
        private long lastTotal;
        private long lastNanos;
        private Histogram.Snapshot last;

        synchronized void sample(long total, Histogram.Snapshot snapshot, long nowNanos) {
            if (last != null && nowNanos > lastNanos) {
                Histogram.Snapshot second = snapshot.since(last);
                rates[next] = Math.max(0, total - lastTotal) * 1e9 / (nowNanos - lastNanos);
                p99s[next] = second.count() == 0 ? Double.NaN : second.quantile(0.99) / 1e6;
                next = (next + 1) % SECONDS;
                size = Math.min(SECONDS, size + 1);
            }
            last = snapshot;
            lastTotal = total;
            lastNanos = nowNanos;
        }

        /** Per-second rates, oldest first. */
        synchronized double[] rates() {
            return ordered(rates);
        }

        /** Per-second p99 latencies in milliseconds, oldest first; NaN for a second without a value. */
        synchronized double[] p99Millis() {
            return ordered(p99s);
        }

        private double[] ordered(double[] ring) {
            double[] out = new double[size];
            int start = (next - size + SECONDS) % SECONDS;
            for (int i = 0; i < size; i++) {
                out[i] = ring[(start + i) % SECONDS];
            }
            return out;
        }
    }
}
