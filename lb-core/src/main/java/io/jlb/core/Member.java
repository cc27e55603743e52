package io.jlb.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * A backend as a member of a {@link Pool}: its current {@link Backend} definition and its live state — health,
 * draining, ejection, slow start — and counters (active leases, totals, failures, a latency average).
 *
 * <p>Thread-safe. State changes go through the pool's single writer; counters are updated lock-free by whoever
 * holds a lease. Every accessor reads the current value; nothing here allocates. A member outlives its removal
 * from the pool for as long as leases on it remain open.
 */
public final class Member {
    /** Peak-EWMA decay time: a latency sample's weight halves after about 0.7 × this. */
    static final long EWMA_DECAY_NANOS = 10_000_000_000L;
    static final long NOT_RAMPING = Long.MIN_VALUE;

    private static final VarHandle ACTIVE;
    private static final VarHandle TOTAL;
    private static final VarHandle SUCCESSES;
    private static final VarHandle FAILURES;
    private static final VarHandle CONSECUTIVE_FAILURES;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            ACTIVE = lookup.findVarHandle(Member.class, "active", int.class);
            TOTAL = lookup.findVarHandle(Member.class, "total", long.class);
            SUCCESSES = lookup.findVarHandle(Member.class, "successes", long.class);
            FAILURES = lookup.findVarHandle(Member.class, "failures", long.class);
            CONSECUTIVE_FAILURES = lookup.findVarHandle(Member.class, "consecutiveFailures", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Pool pool;
    private final Pick pick = new Pick(this);
    private volatile Backend backend;

    // Written by the pool's writer (under its lock), read by anyone.
    private volatile BackendState health = BackendState.UNKNOWN;
    private volatile boolean draining;
    private volatile boolean ejected;
    /** Whether the pool's current snapshot lets picks land here; written by the pool's writer. */
    private volatile boolean pickable;
    private volatile boolean removed;
    private volatile String reason = "not checked yet";
    private volatile long lastCheckNanos;
    private volatile boolean checked;
    volatile long rampStartNanos = NOT_RAMPING;

    // Owned by the pool's writer: health-check streaks and ejection history.
    int riseStreak;
    int fallStreak;
    int ejections;
    long lastEjectionEndNanos;
    Scheduler.Cancellable ejectionTimer;
    private final Object idleLock = new Object();
    private volatile CompletableFuture<Void> idle;

    // Hot counters.
    @SuppressWarnings("unused") private volatile int active;
    @SuppressWarnings("unused") private volatile long total;
    @SuppressWarnings("unused") private volatile long successes;
    @SuppressWarnings("unused") private volatile long failures;
    @SuppressWarnings("unused") private volatile int consecutiveFailures;

    // Told of every change of the active count: least-connections' tree for large pools, a no-op otherwise.
    private volatile LoadWatcher loadWatcher = LoadWatcher.NONE;

    // Traffic, for proxies: bytes relayed to and from this backend.
    private final LongAdder bytesToBackend = new LongAdder();
    private final LongAdder bytesFromBackend = new LongAdder();

    // Observability: created on first use, so a backend that sees no traffic costs nothing.
    private volatile Histogram connectTimes;
    private volatile Histogram firstByteTimes;
    private volatile Histogram durations;
    private volatile LongAdder[] responses;
    private final LongAdder connectFailures = new LongAdder();
    volatile long ejectionsTotal;
    volatile long stateChanges;

    // Peak EWMA of latency (Finagle's): benign races between the two fields only blur one sample.
    private volatile double ewmaNanos;
    private volatile long ewmaStampNanos;

    Member(Pool pool, Backend backend) {
        this.pool = pool;
        this.backend = backend;
    }

    /** The current definition of this backend. */
    public Backend backend() {
        return backend;
    }

    /** The name of the pool this member belongs (or belonged) to. */
    public String poolName() {
        return pool.name();
    }

    /** The state a selector sees: draining and ejection take precedence over health. */
    public BackendState state() {
        if (draining) {
            return BackendState.DRAINING;
        }
        if (ejected) {
            return BackendState.EJECTED;
        }
        return health;
    }

    /** The health-check verdict alone: {@code UNKNOWN}, {@code UP} or {@code DOWN}. */
    public BackendState health() {
        return health;
    }

    /** Whether new picks may land here (ignoring the pool's panic mode). */
    public boolean eligible() {
        return !removed && state().eligible();
    }

    /**
     * Whether the pool's picks may land here right now: an eligible primary (or any standing primary while the
     * pool panics), or an eligible backup while no primary is. What affinity (a sticky cookie) checks before it
     * sends a request to a backend it names.
     */
    public boolean pickable() {
        return pickable && !removed;
    }

    void pickable(boolean value) {
        pickable = value;
    }

    /** Whether an operator is draining this backend. */
    public boolean draining() {
        return draining;
    }

    /** Whether passive failure detection has ejected this backend for now. */
    public boolean ejected() {
        return ejected;
    }

    /** Whether this member has been removed from its pool (its open leases may still be running). */
    public boolean removed() {
        return removed;
    }

    /** Whether slow start is ramping this backend's share of traffic up. */
    public boolean inSlowStart() {
        return rampStartNanos != NOT_RAMPING;
    }

    /** The reason given with the last health change or probe result. */
    public String reason() {
        return reason;
    }

    /** The ticker time of the last health probe, or -1 if never probed. */
    public long lastCheckNanos() {
        return checked ? lastCheckNanos : -1;
    }

    /** Open leases: active connections (L4) or requests (L7). */
    public int active() {
        return (int) ACTIVE.getVolatile(this);
    }

    /** Leases ever taken. */
    public long total() {
        return (long) TOTAL.getVolatile(this);
    }

    /** Uses reported as successful. */
    public long successes() {
        return (long) SUCCESSES.getVolatile(this);
    }

    /** Uses reported as failed, since the member was created. */
    public long failures() {
        return (long) FAILURES.getVolatile(this);
    }

    /** Failures since the last success: the recent-failure signal passive detection acts on. */
    public int consecutiveFailures() {
        return (int) CONSECUTIVE_FAILURES.getVolatile(this);
    }

    /** Bytes a proxy relayed to this backend. */
    public long bytesToBackend() {
        return bytesToBackend.sum();
    }

    /** Bytes a proxy relayed from this backend. */
    public long bytesFromBackend() {
        return bytesFromBackend.sum();
    }

    /** Adds relayed bytes to this backend's traffic counters. */
    public void recordTraffic(long toBackend, long fromBackend) {
        if (toBackend != 0) {
            bytesToBackend.add(toBackend);
        }
        if (fromBackend != 0) {
            bytesFromBackend.add(fromBackend);
        }
    }

    /** Records how long a connection to this backend took to establish. */
    public void recordConnect(long nanos) {
        connectTimes().record(nanos);
    }

    /** Records a connection attempt that failed (refused, timed out, unreachable). */
    public void recordConnectFailure() {
        connectFailures.increment();
    }

    /** Records an HTTP response: its status, the time to its first byte and the whole exchange's time. */
    public void recordResponse(int status, long firstByteNanos, long totalNanos) {
        int c = status / 100;
        if (c >= 1 && c <= 5) {
            responseCounters()[c - 1].increment();
        }
        firstByteTimes().record(firstByteNanos);
        durations().record(totalNanos);
    }

    /** Records the duration of a use that has no response of its own (an L4 connection). */
    public void recordDuration(long nanos) {
        durations().record(nanos);
    }

    /** Connection setup times, in nanoseconds. */
    public Histogram connectTimes() {
        Histogram h = connectTimes;
        if (h == null) {
            synchronized (idleLock) {
                if ((h = connectTimes) == null) {
                    connectTimes = h = new Histogram();
                }
            }
        }
        return h;
    }

    /** Times from sending a request to the first byte of its response, in nanoseconds. */
    public Histogram firstByteTimes() {
        Histogram h = firstByteTimes;
        if (h == null) {
            synchronized (idleLock) {
                if ((h = firstByteTimes) == null) {
                    firstByteTimes = h = new Histogram();
                }
            }
        }
        return h;
    }

    /** Durations of exchanges (L7) or connections (L4), in nanoseconds. */
    public Histogram durations() {
        Histogram h = durations;
        if (h == null) {
            synchronized (idleLock) {
                if ((h = durations) == null) {
                    durations = h = new Histogram();
                }
            }
        }
        return h;
    }

    private LongAdder[] responseCounters() {
        LongAdder[] r = responses;
        if (r == null) {
            synchronized (idleLock) {
                if ((r = responses) == null) {
                    r = new LongAdder[5];
                    for (int i = 0; i < 5; i++) {
                        r[i] = new LongAdder();
                    }
                    responses = r;
                }
            }
        }
        return r;
    }

    /** HTTP responses with a status of class {@code n}xx (1 to 5). */
    public long responses(int statusClass) {
        if (statusClass < 1 || statusClass > 5) {
            throw new IllegalArgumentException("statusClass: " + statusClass + " (expected: 1 to 5)");
        }
        LongAdder[] r = responses;
        return r == null ? 0 : r[statusClass - 1].sum();
    }

    /** Failed connection attempts. */
    public long connectFailures() {
        return connectFailures.sum();
    }

    /** Times passive detection ejected this backend. */
    public long ejections() {
        return ejectionsTotal;
    }

    /** Times this backend's state changed (health, draining, ejection). */
    public long stateChanges() {
        return stateChanges;
    }

    /** The peak-EWMA latency in nanoseconds, decayed to now; 0 before any sample. */
    public double latencyEwmaNanos() {
        return decayedEwma(pool.ticker().read());
    }

    /** Starts a use of this backend (a connection or a request). Prefer {@link Pool#acquire(PickContext)}. */
    public Lease acquire() {
        ACTIVE.getAndAdd(this, 1);
        return leased();
    }

    /**
     * A lease only if fewer than {@code limit} are open, else {@link Lease#NONE}: an exact per-backend connection
     * limit, even with several threads leasing at once.
     */
    public Lease tryAcquire(int limit) {
        while (true) {
            int now = active();
            if (now >= limit) {
                return Lease.NONE;
            }
            if (ACTIVE.compareAndSet(this, now, now + 1)) {
                return leased();
            }
        }
    }

    private Lease leased() {
        TOTAL.getAndAdd(this, 1L);
        pool.leaseAcquired();
        loadWatcher.loadChanged();
        return new Lease(this);
    }

    /** Reports a successful use without a latency sample. */
    public void recordSuccess() {
        SUCCESSES.getAndAdd(this, 1L);
        if ((int) CONSECUTIVE_FAILURES.getOpaque(this) != 0) {
            CONSECUTIVE_FAILURES.setVolatile(this, 0);
        }
    }

    /** Reports a successful use that took {@code latencyNanos}; feeds the latency average. */
    public void recordSuccess(long latencyNanos) {
        recordSuccess();
        recordLatency(latencyNanos);
    }

    /** Reports a failed use; enough of them in a row may get the backend ejected. */
    public void recordFailure() {
        FAILURES.getAndAdd(this, 1L);
        int streak = (int) CONSECUTIVE_FAILURES.getAndAdd(this, 1) + 1;
        pool.failureRecorded(this, streak);
    }

    /** Feeds one latency sample to the peak EWMA. */
    public void recordLatency(long latencyNanos) {
        if (latencyNanos < 0) {
            return;
        }
        long now = pool.ticker().read();
        double rtt = latencyNanos;
        double decayed = decayedEwma(now);
        ewmaNanos = rtt > decayed ? rtt : decayed + (rtt - decayed) * (1 - decayFactor(now - ewmaStampNanos));
        ewmaStampNanos = now;
    }

    double decayedEwma(long now) {
        double cost = ewmaNanos;
        return cost == 0 ? 0 : cost * decayFactor(now - ewmaStampNanos);
    }

    /** e^(-elapsed/decay); under steady traffic elapsed is tiny and a second-order expansion is exact enough. */
    private static double decayFactor(long elapsedNanos) {
        if (elapsedNanos <= 0) {
            return 1;
        }
        double x = (double) elapsedNanos / EWMA_DECAY_NANOS;
        return x < 0.001 ? 1 - x + x * x * 0.5 : Math.exp(-x);
    }

    /**
     * A future that completes when no lease on this member is open; used to finish a drain. Completes at once if
     * none is open now.
     */
    public CompletableFuture<Void> whenIdle() {
        synchronized (idleLock) {
            if (idle == null) {
                idle = new CompletableFuture<>();
            }
            if (active() == 0) {
                idle.complete(null);
            }
            return idle;
        }
    }

    void release() {
        int now = (int) ACTIVE.getAndAdd(this, -1) - 1;
        pool.leaseReleased();
        loadWatcher.loadChanged();
        if (now == 0 && idle != null) {
            synchronized (idleLock) {
                if (idle != null && active() == 0) {
                    idle.complete(null);
                }
            }
        }
    }

    Pick pick() {
        return pick;
    }

    void watchLoad(LoadWatcher watcher) {
        loadWatcher = watcher;
    }

    // Writer-side mutators (called by Pool under its lock).

    void backend(Backend b) {
        backend = b;
    }

    void health(BackendState h, String why) {
        health = h;
        reason = why;
    }

    void checked(long nanos, String why) {
        lastCheckNanos = nanos;
        checked = true;
        reason = why;
    }

    void draining(boolean d) {
        draining = d;
        if (!d) {
            synchronized (idleLock) {
                if (idle != null && idle.isDone()) {
                    idle = null;
                }
            }
        }
    }

    void ejected(boolean e, String why) {
        ejected = e;
        reason = why;
    }

    void markRemoved() {
        removed = true;
    }

    void resetFailureStreak() {
        CONSECUTIVE_FAILURES.setVolatile(this, 0);
    }

    @Override
    public String toString() {
        return "Member[" + backend.name() + ", " + state().label() + ", active=" + active() + "]";
    }
}
