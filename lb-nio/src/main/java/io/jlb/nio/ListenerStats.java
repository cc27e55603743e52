package io.jlb.nio;

import io.jlb.core.Histogram;

/**
 * Live counters of a listener: those every listener keeps, and those particular to its protocol, which it
 * {@linkplain #report reports} by name. Thread-safe; each read is current.
 */
public interface ListenerStats {
    /** Client connections (UDP: sessions) accepted. */
    long accepted();

    /** Client connections (UDP: sessions) open now. */
    int active();

    /** Backend connection attempts that failed. */
    long connectFailures();

    /** Attempts made again on another backend after a failure. */
    long retries();

    /** What the listener's rate counts: connections or sessions (L4), requests (HTTP). */
    long served();

    /** How long what it {@linkplain #served serves} took, from start to end, in nanoseconds. */
    Histogram durations();

    /** Writes the counters particular to this listener's protocol to {@code report}. */
    void report(Report report);

    /**
     * Where a listener reports its own counters: each under a short key (its name in status JSON) and a metric name
     * (after {@code jlb_listener_} in the Prometheus export).
     */
    interface Report {
        /** A count that only grows. */
        void counter(String key, String metric, String help, long value);

        /** A value that goes up and down. */
        void gauge(String key, String metric, String help, long value);

        /** A count that only grows, split by {@code label}: one value per entry of {@code labelValues}. */
        void counters(String key, String metric, String help, String label, String[] labelValues, long[] values);

        /** A distribution of durations in nanoseconds (exported in seconds). */
        void histogram(String key, String metric, String help, Histogram histogram);
    }
}
