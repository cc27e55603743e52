package io.jlb.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * A named, dynamic set of backends and the selector that chooses among them.
 *
 * <p>Thread-safe. Every change — add, remove, replace, weight, drain, backup, health, ejection, a slow-start step —
 * goes through one writer (a lock picks never take) that builds a new immutable {@link Candidates snapshot} and
 * publishes it through one volatile field. A {@link #pick(PickContext)} reads that field once and asks the
 * precomputed picker: no lock, no allocation. Counters live on the {@link Member}s, outside snapshots, so rebuilds
 * never reset them.
 *
 * <p>Eligibility: a member is picked when it is up or not yet checked, not draining and not ejected. Backup
 * members are picked only when no primary is eligible. When fewer than the panic threshold's share of primaries
 * are healthy (50 % unless set) and no backup is eligible, the pool panics and picks among all non-draining
 * primaries, as Envoy does; passive
 * detection never ejects a backend when that would leave the pool in panic or eject more than its allowed share.
 *
 * <p>Slow start: a backend added to a running pool, or coming back up, ramps its effective weight from 1/16 to
 * its full weight over the slow-start window, in 16 steps.
 *
 * <pre>{@code
 * Pool api = lb.pool("api");
 * api.add(Backend.parse("10.0.0.8:8080"));
 * api.drain("10.0.0.7:8080").thenRun(() -> api.remove("10.0.0.7:8080"));
 * try (Lease lease = api.acquire(PickContext.of(client))) { ... }
 * }</pre>
 */
public final class Pool {
    private static final System.Logger LOG = System.getLogger(Pool.class.getName());
    /** The most members a pool may hold. */
    public static final int MAX_MEMBERS = RingHashSelector.MAX_CANDIDATES;

    private final String name;
    private final Selector selector;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final Duration slowStart;
    private final OutlierDetection outlierDetection;
    private final int panicThreshold;
    private final LongAdder active = new LongAdder();
    private final CopyOnWriteArrayList<PoolListener> listeners = new CopyOnWriteArrayList<>();

    private final Object writeLock = new Object();
    private final LinkedHashMap<String, Member> members = new LinkedHashMap<>(); // guarded by writeLock
    private Scheduler.Cancellable rampStep; // guarded by writeLock
    private boolean closed; // guarded by writeLock

    private volatile Snapshot snapshot;

    Pool(String name, Selector selector, Ticker ticker, Scheduler scheduler, Duration slowStart,
            OutlierDetection outlierDetection, int panicThreshold, List<Backend> initial) {
        this.name = name;
        this.selector = selector;
        this.ticker = ticker;
        this.scheduler = scheduler;
        this.slowStart = slowStart;
        this.outlierDetection = outlierDetection;
        this.panicThreshold = panicThreshold;
        synchronized (writeLock) {
            for (Backend b : initial) {
                if (members.putIfAbsent(b.name(), new Member(this, b)) != null) {
                    throw new IllegalArgumentException("pool '" + name + "': backend '" + b.name()
                            + "' is listed twice (expected: unique names; set one with withName(..))");
                }
            }
            publish();
        }
    }

    /** The pool's name. */
    public String name() {
        return name;
    }

    /** The name of the pool's selector. */
    public String selectorName() {
        return selector.name();
    }

    /** The slow-start window; zero when off. */
    public Duration slowStart() {
        return slowStart;
    }

    /** The passive failure detection settings. */
    public OutlierDetection outlierDetection() {
        return outlierDetection;
    }

    // ---- reading (lock-free) ----

    /**
     * Chooses a backend for {@code context}, or {@link Pick#NO_BACKEND}. Lock-free and allocation-free; the pick
     * does not count as load (see {@link #acquire(PickContext)}).
     */
    public Pick pick(PickContext context) {
        Snapshot s = snapshot;
        int i = s.primaryPicker.pick(context);
        if (i >= 0) {
            return s.primary.member(i).pick();
        }
        i = s.backupPicker.pick(context);
        return i >= 0 ? s.backup.member(i).pick() : Pick.NO_BACKEND;
    }

    /**
     * Chooses a backend other than {@code avoid} where another is eligible: for retrying a failed attempt
     * elsewhere. Falls back to {@code avoid} when it is the only eligible primary.
     */
    public Pick pickOther(PickContext context, Member avoid) {
        Snapshot s = snapshot;
        int i = avoiding(s.primary, s.primaryPicker, context, avoid);
        if (i >= 0) {
            return s.primary.member(i).pick();
        }
        i = avoiding(s.backup, s.backupPicker, context, avoid);
        return i >= 0 ? s.backup.member(i).pick() : Pick.NO_BACKEND;
    }

    private static int avoiding(Candidates candidates, Selector.Picker picker, PickContext context, Member avoid) {
        int i = picker.pick(context);
        if (i < 0 || candidates.member(i) != avoid || candidates.size() == 1) {
            return i;
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            i = picker.pick(context);
            if (candidates.member(i) != avoid) {
                return i;
            }
        }
        return i + 1 == candidates.size() ? 0 : i + 1;
    }

    /** Picks a backend and leases it: its active count rises until the lease closes. {@link Lease#NONE} if none. */
    public Lease acquire(PickContext context) {
        return pick(context).acquire();
    }

    /**
     * Picks a backend with fewer than {@code cap} open leases and leases it, all in one step: when the pick is at
     * its cap, other eligible members are tried (an exact cap, as {@link Member#tryAcquire(int)} leases only below
     * it, so callers on several threads cannot all slip under it at once). For L4 sessions and L7 requests alike.
     *
     * @param avoid a member to pick only when it is the only eligible one (the backend a retry moves away from), or null
     * @param cap the most open leases per backend; 0 for no cap
     * @return a lease; {@link Lease#NONE} when no backend is eligible; {@link Lease#AT_CAPACITY} when every eligible
     *     backend is at its cap
     */
    public Lease acquire(PickContext context, Member avoid, int cap) {
        Pick pick = avoid == null ? pick(context) : pickOther(context, avoid);
        if (!pick.found()) {
            return Lease.NONE;
        }
        if (cap <= 0) {
            return pick.acquire();
        }
        for (int i = 0; i <= eligibleCount(); i++) {
            Lease l = pick.member().tryAcquire(cap);
            if (l.found()) {
                return l;
            }
            pick = pickOther(context, pick.member());
            if (!pick.found()) {
                break;
            }
        }
        return Lease.AT_CAPACITY;
    }

    /** The members, in the order they were added. */
    public List<Member> members() {
        return List.of(snapshot.all);
    }

    /** The member named {@code backendName}, if present. */
    public Optional<Member> member(String backendName) {
        for (Member m : snapshot.all) {
            if (m.backend().name().equals(backendName)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** How many members new picks may land on right now. */
    public int eligibleCount() {
        Snapshot s = snapshot;
        return s.primary.size() > 0 ? s.primary.size() : s.backup.size();
    }

    /** Whether the pool is in panic mode (picking among unhealthy primaries too). */
    public boolean panic() {
        return snapshot.panic;
    }

    /** Open leases on all members. */
    public long active() {
        return active.sum();
    }

    // ---- listeners ----

    /** Adds a listener for membership and state changes. */
    public void addListener(PoolListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener. */
    public void removeListener(PoolListener listener) {
        listeners.remove(listener);
    }

    // ---- changing membership ----

    /**
     * Adds a backend; with slow start on, its share of traffic ramps up.
     *
     * @throws IllegalArgumentException if a backend of that name is already a member
     */
    public Member add(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        synchronized (writeLock) {
            if (members.containsKey(backend.name())) {
                throw new IllegalArgumentException("pool '" + name + "': backend '" + backend.name()
                        + "' is already a member");
            }
            if (members.size() >= MAX_MEMBERS) {
                throw new IllegalStateException("pool '" + name + "': already " + MAX_MEMBERS + " members");
            }
            Member m = new Member(this, backend);
            startRamp(m);
            members.put(backend.name(), m);
            publish();
            fire(PoolEvent.Type.ADDED, m, null);
            return m;
        }
    }

    /**
     * Removes a backend at once: no new picks; open leases run on until they close. To let them finish first, use
     * {@link #drain(String)} and remove when it completes.
     *
     * @return whether it was a member
     */
    public boolean remove(String backendName) {
        synchronized (writeLock) {
            Member m = members.remove(backendName);
            if (m == null) {
                return false;
            }
            BackendState before = m.state();
            m.markRemoved();
            if (m.ejectionTimer != null) {
                m.ejectionTimer.cancel();
            }
            publish();
            fire(PoolEvent.Type.REMOVED, m, before);
            return true;
        }
    }

    /**
     * Replaces the definition (address, weight, backup flag, metadata) of the member with the same name, keeping
     * its state and counters.
     *
     * @throws IllegalArgumentException if no member has that name
     */
    public Member replace(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        synchronized (writeLock) {
            Member m = required(backend.name());
            if (!m.backend().equals(backend)) {
                m.backend(backend);
                publish();
                fire(PoolEvent.Type.UPDATED, m, m.state());
            }
            return m;
        }
    }

    /** Changes a member's weight. */
    public Member reweight(String backendName, int weight) {
        Backend.checkWeight(weight);
        synchronized (writeLock) {
            return replace(required(backendName).backend().withWeight(weight));
        }
    }

    /** Makes a member a backup (picked only when no primary is eligible), or a primary again. */
    public Member markBackup(String backendName, boolean backup) {
        synchronized (writeLock) {
            return replace(required(backendName).backend().withBackup(backup));
        }
    }

    /**
     * Drains a member: no new picks, open leases finish. The future completes when none is left open.
     *
     * @throws IllegalArgumentException if no member has that name
     */
    public CompletableFuture<Void> drain(String backendName) {
        synchronized (writeLock) {
            Member m = required(backendName);
            if (!m.draining()) {
                BackendState before = m.state();
                m.draining(true);
                publish();
                fireIfChanged(m, before);
            }
            return m.whenIdle();
        }
    }

    /** Takes a member out of draining. */
    public Member undrain(String backendName) {
        synchronized (writeLock) {
            Member m = required(backendName);
            if (m.draining()) {
                BackendState before = m.state();
                m.draining(false);
                startRamp(m);
                publish();
                fireIfChanged(m, before);
            }
            return m;
        }
    }

    /** Marks a member up by hand; its health checks, if any, go on and may take it down again. */
    public Member markUp(String backendName, String reason) {
        synchronized (writeLock) {
            Member m = required(backendName);
            setHealth(m, BackendState.UP, reason);
            return m;
        }
    }

    /** Marks a member down by hand; its health checks, if any, go on and may bring it up again. */
    public Member markDown(String backendName, String reason) {
        synchronized (writeLock) {
            Member m = required(backendName);
            setHealth(m, BackendState.DOWN, reason);
            return m;
        }
    }

    private Member required(String backendName) {
        Member m = members.get(backendName);
        if (m == null) {
            throw new IllegalArgumentException("pool '" + name + "': no backend named '" + backendName
                    + "' (members: " + String.join(", ", members.keySet()) + ")");
        }
        return m;
    }

    // ---- health, passive detection, slow start (package-private: fed by the checker and by leases) ----

    /** Applies one active probe result with the check's rise/fall thresholds. */
    void probed(Member m, ProbeResult result, HealthCheck check) {
        synchronized (writeLock) {
            if (m.removed() || closed) {
                return;
            }
            m.checked(ticker.read(), result.reason());
            if (result.healthy()) {
                m.fallStreak = 0;
                m.riseStreak++;
                BackendState h = m.health();
                if (h == BackendState.UNKNOWN || (h == BackendState.DOWN && m.riseStreak >= check.rise())) {
                    setHealth(m, BackendState.UP, result.reason());
                }
                if (m.ejected()) {
                    endEjection(m, "ejection ended early: health check passed");
                }
            } else {
                m.riseStreak = 0;
                m.fallStreak++;
                if (m.health() != BackendState.DOWN && m.fallStreak >= check.fall()) {
                    setHealth(m, BackendState.DOWN, result.reason());
                }
            }
        }
    }

    private void setHealth(Member m, BackendState health, String reason) {
        BackendState before = m.state();
        BackendState previousHealth = m.health();
        if (previousHealth == health) {
            m.health(health, reason);
            return;
        }
        m.health(health, reason);
        if (health == BackendState.UP) {
            m.fallStreak = 0;
            if (previousHealth == BackendState.DOWN) {
                startRamp(m);
            }
        } else {
            m.riseStreak = 0;
        }
        publish();
        fireIfChanged(m, before);
    }

    /** Called by a member on every failure: the streak may trigger an ejection (applied off the caller's thread). */
    void failureRecorded(Member m, int streak) {
        int threshold = outlierDetection.consecutiveFailures();
        if (threshold > 0 && streak % threshold == 0 && !m.ejected()) {
            scheduler.execute(() -> eject(m, streak));
        }
    }

    void eject(Member m, int streak) {
        synchronized (writeLock) {
            if (closed || m.removed() || m.ejected() || m.consecutiveFailures() < outlierDetection.consecutiveFailures()) {
                return;
            }
            int ejected = 0;
            int eligiblePrimaries = 0;
            int standingPrimaries = 0;
            for (Member other : members.values()) {
                if (other.ejected()) {
                    ejected++;
                }
                if (!other.backend().backup() && !other.draining()) {
                    standingPrimaries++;
                    if (other.state().eligible()) {
                        eligiblePrimaries++;
                    }
                }
            }
            if (ejected + 1 > members.size() * outlierDetection.maxEjectionPercent() / 100) {
                return; // never more than the share allowed: one backend of one, or of two at 50 %, stays
            }
            boolean primary = !m.backend().backup() && m.state().eligible();
            if (primary && panicThreshold > 0 && (eligiblePrimaries - 1) * 100 < panicThreshold * standingPrimaries) {
                return; // ejecting it would put the pool in panic, where it would be picked anyway
            }
            long now = ticker.read();
            long base = outlierDetection.baseEjectionTime().toNanos();
            if (m.ejections > 0) {
                long quietPeriods = (now - m.lastEjectionEndNanos) / base;
                m.ejections = (int) Math.max(0, m.ejections - quietPeriods);
            }
            m.ejections++;
            m.ejectionsTotal++;
            long nanos = Math.min(outlierDetection.maxEjectionTime().toNanos(), base * m.ejections);
            Duration time = Duration.ofNanos(nanos);
            BackendState before = m.state();
            m.ejected(true, "ejected for " + Durations.format(time) + " after " + streak + " consecutive failures");
            m.ejectionTimer = scheduler.schedule(time, () -> {
                synchronized (writeLock) {
                    endEjection(m, "ejection of " + Durations.format(time) + " ended");
                }
            });
            publish();
            fireIfChanged(m, before);
        }
    }

    private void endEjection(Member m, String reason) {
        if (!m.ejected() || m.removed()) {
            return;
        }
        BackendState before = m.state();
        if (m.ejectionTimer != null) {
            m.ejectionTimer.cancel();
            m.ejectionTimer = null;
        }
        m.ejected(false, reason);
        m.lastEjectionEndNanos = ticker.read();
        m.resetFailureStreak();
        startRamp(m);
        publish();
        fireIfChanged(m, before);
    }

    private void startRamp(Member m) {
        if (!slowStart.isZero()) {
            m.rampStartNanos = ticker.read();
        }
    }

    void leaseAcquired() {
        active.increment();
    }

    void leaseReleased() {
        active.decrement();
    }

    Ticker ticker() {
        return ticker;
    }

    /** Stops timers; picks keep working on the last snapshot. */
    void close() {
        synchronized (writeLock) {
            closed = true;
            if (rampStep != null) {
                rampStep.cancel();
                rampStep = null;
            }
            for (Member m : members.values()) {
                if (m.ejectionTimer != null) {
                    m.ejectionTimer.cancel();
                    m.ejectionTimer = null;
                }
            }
        }
    }

    // ---- the writer ----

    /** Builds and publishes a new snapshot. Caller holds writeLock. */
    private void publish() {
        long now = ticker.read();
        long window = slowStart.toNanos();
        List<Member> primary = new ArrayList<>(members.size());
        List<Member> backup = new ArrayList<>();
        List<Member> standingPrimaries = new ArrayList<>(members.size());
        boolean ramping = false;
        for (Member m : members.values()) {
            if (m.rampStartNanos != Member.NOT_RAMPING && (window == 0 || now - m.rampStartNanos >= window)) {
                m.rampStartNanos = Member.NOT_RAMPING;
            }
            if (m.draining()) {
                continue;
            }
            boolean isBackup = m.backend().backup();
            if (!isBackup) {
                standingPrimaries.add(m);
            }
            if (m.state().eligible()) {
                (isBackup ? backup : primary).add(m);
                ramping |= m.inSlowStart();
            }
        }
        boolean panic = panicThreshold > 0 && !standingPrimaries.isEmpty() && backup.isEmpty()
                && primary.size() * 100 < panicThreshold * standingPrimaries.size();
        if (panic) {
            primary = standingPrimaries;
        }
        for (Member m : members.values()) {
            m.pickable(false);
        }
        for (Member m : primary.isEmpty() ? backup : primary) {
            m.pickable(true);
        }
        Candidates p = candidates(primary, ramping, now, window);
        Candidates b = candidates(backup, ramping, now, window);
        snapshot = new Snapshot(members.values().toArray(new Member[0]), p, picker(p), b, picker(b), panic);
        if (ramping && rampStep == null && !closed) {
            rampStep = scheduler.schedule(slowStart.dividedBy(Candidates.RAMP_SCALE), () -> {
                synchronized (writeLock) {
                    rampStep = null;
                    if (!closed) {
                        publish();
                    }
                }
            });
        }
    }

    private Candidates candidates(List<Member> list, boolean ramping, long now, long window) {
        if (list.isEmpty()) {
            return Candidates.EMPTY;
        }
        Member[] array = list.toArray(new Member[0]);
        int[] weights = new int[array.length];
        for (int i = 0; i < array.length; i++) {
            int w = array[i].backend().weight();
            if (ramping) {
                long ramp = array[i].rampStartNanos;
                w *= Candidates.RAMP_SCALE;
                if (ramp != Member.NOT_RAMPING) {
                    w = (int) Math.max(1, w * (now - ramp) / window);
                }
            }
            weights[i] = w;
        }
        return new Candidates(array, weights, ticker, active);
    }

    private Selector.Picker picker(Candidates c) {
        return c.isEmpty() ? Selector.Picker.NONE : selector.picker(c);
    }

    private void fireIfChanged(Member m, BackendState before) {
        if (m.state() != before) {
            m.stateChanges++;
            fire(PoolEvent.Type.STATE_CHANGED, m, before);
        }
    }

    private void fire(PoolEvent.Type type, Member m, BackendState before) {
        if (listeners.isEmpty()) {
            return;
        }
        PoolEvent event = new PoolEvent(name, type, m, before, m.state());
        for (PoolListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "pool listener failed on " + event, e);
            }
        }
    }

    @Override
    public String toString() {
        return "Pool[" + name + ", " + selector.name() + ", " + Arrays.toString(snapshot.all) + "]";
    }

    private static final class Snapshot {
        final Member[] all;
        final Candidates primary;
        final Selector.Picker primaryPicker;
        final Candidates backup;
        final Selector.Picker backupPicker;
        final boolean panic;

        Snapshot(Member[] all, Candidates primary, Selector.Picker primaryPicker, Candidates backup,
                Selector.Picker backupPicker, boolean panic) {
            this.all = all;
            this.primary = primary;
            this.primaryPicker = primaryPicker;
            this.backup = backup;
            this.backupPicker = backupPicker;
            this.panic = panic;
        }
    }
}
