package io.jlb.nio;

import io.jlb.core.Histogram;
import io.jlb.nio.internal.ServerRuntime;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters of one L4 (TCP or UDP) listener. Thread-safe; each read is current. Per-backend counters (active,
 * totals, failures, bytes) live on the pool's {@link io.jlb.core.Member}s.
 */
public final class ProxyStats implements ListenerStats {
    private final String durationMetric;
    final LongAdder acceptedSessions = new LongAdder();
    final AtomicInteger activeSessions = new AtomicInteger();
    /** Set by TCP proxies, whose connections the runtime counts. */
    volatile ServerRuntime<?> runtime;
    final LongAdder bytesFromClients = new LongAdder();
    final LongAdder bytesToClients = new LongAdder();
    final LongAdder connectFailures = new LongAdder();
    final LongAdder retries = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder idleTimeouts = new LongAdder();
    final Histogram connectTimes = new Histogram();
    final Histogram durations = new Histogram();

    /** Counters of a listener whose durations are those of {@code what}: connections or sessions. */
    ProxyStats(String what) {
        this.durationMetric = what + "_duration_seconds";
    }

    /** Connections (or UDP sessions) accepted. */
    @Override
    public long accepted() {
        ServerRuntime<?> r = runtime;
        return r != null ? r.accepted() : acceptedSessions.sum();
    }

    /** Connections (or UDP sessions) open now. */
    @Override
    public int active() {
        ServerRuntime<?> r = runtime;
        return r != null ? r.active() : activeSessions.get();
    }

    /** Bytes received from clients and relayed to backends. */
    public long bytesFromClients() {
        return bytesFromClients.sum();
    }

    /** Bytes received from backends and relayed to clients. */
    public long bytesToClients() {
        return bytesToClients.sum();
    }

    /** Backend connection attempts that failed (refused, timed out, unreachable). */
    @Override
    public long connectFailures() {
        return connectFailures.sum();
    }

    /** Connection attempts made again on another backend after a failure. */
    @Override
    public long retries() {
        return retries.sum();
    }

    /** Clients closed without service: no eligible backend, attempts exhausted, a bad PROXY header, limits. */
    public long rejected() {
        return rejected.sum();
    }

    /** Connections closed for being idle too long. */
    public long idleTimeouts() {
        return idleTimeouts.sum();
    }

    /** Backend connection setup times, in nanoseconds (TCP). */
    public Histogram connectTimes() {
        return connectTimes;
    }

    /** Durations of relayed connections (TCP) or sessions (UDP), in nanoseconds. */
    @Override
    public Histogram durations() {
        return durations;
    }

    /** Connections (or UDP sessions) accepted. */
    @Override
    public long served() {
        return accepted();
    }

    @Override
    public void report(Report report) {
        report.counter("bytesIn", "received_bytes_total", "Bytes received from clients and relayed (L4).",
                bytesFromClients());
        report.counter("bytesOut", "sent_bytes_total", "Bytes received from backends and relayed to clients (L4).",
                bytesToClients());
        report.counter("rejected", "rejected_total", "Clients closed without service (L4).", rejected());
        report.counter("idleTimeouts", "idle_timeouts_total", "Connections closed for being idle (L4).", idleTimeouts());
        report.histogram("latencyMs", durationMetric, "Durations of relayed connections or sessions (L4).", durations);
    }

    @Override
    public String toString() {
        return "accepted=" + accepted() + " active=" + active() + " in=" + bytesFromClients() + " out="
                + bytesToClients() + " connectFailures=" + connectFailures() + " retries=" + retries()
                + " rejected=" + rejected() + " idleTimeouts=" + idleTimeouts();
    }
}
