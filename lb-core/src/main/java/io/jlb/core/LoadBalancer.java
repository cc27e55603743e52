package io.jlb.core;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pools of backends, a selector per pool and health checking, assembled by {@link #builder()}.
 *
 * <p>Thread-safe. Usable on its own for client-side balancing — pick a backend for an outgoing call, report the
 * outcome — and used by the L4 and L7 proxies for every connection and request. {@link #start()} begins active
 * health checking; {@link #close()} stops every thread the load balancer started.
 *
 * <pre>{@code
 * LoadBalancer lb = LoadBalancer.builder()
 *         .pool("api", p -> p.backends("127.0.0.1:8081", "127.0.0.1:8082")
 *                 .selector(Selector.leastConnections())
 *                 .healthCheck(HealthCheck.tcp()))
 *         .build()
 *         .start();
 * try (Lease lease = lb.acquire("api", PickContext.EMPTY)) {
 *     if (lease.found()) {
 *         send(lease.backend().address());
 *         lease.success();
 *     }
 * }
 * lb.close();
 * }</pre>
 */
public final class LoadBalancer implements AutoCloseable {
    private static final int NEW = 0;
    private static final int STARTED = 1;
    private static final int CLOSED = 2;

    private final Map<String, Pool> pools = new LinkedHashMap<>();
    private final List<HealthChecker> checkers;
    private final List<HealthProbe> probes;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final Scheduler.Closeable ownedScheduler;
    private final AtomicInteger state = new AtomicInteger(NEW);

    LoadBalancer(List<Pool> pools, List<HealthChecker> checkers, List<HealthProbe> probes, Ticker ticker,
            Scheduler scheduler, Scheduler.Closeable ownedScheduler) {
        for (Pool p : pools) {
            this.pools.put(p.name(), p);
        }
        this.checkers = List.copyOf(checkers);
        this.probes = List.copyOf(probes);
        this.ticker = ticker;
        this.scheduler = scheduler;
        this.ownedScheduler = ownedScheduler;
    }

    /** A builder for a load balancer. */
    public static LoadBalancerBuilder builder() {
        return new LoadBalancerBuilder();
    }

    /**
     * Starts active health checking. Picks work before this too, on unchecked backends.
     *
     * @return this
     * @throws IllegalStateException when already started or closed
     */
    public LoadBalancer start() {
        if (!state.compareAndSet(NEW, STARTED)) {
            throw new IllegalStateException(state.get() == CLOSED ? "closed" : "already started");
        }
        checkers.forEach(HealthChecker::start);
        return this;
    }

    /** Whether {@link #start()} was called and {@link #close()} was not. */
    public boolean running() {
        return state.get() == STARTED;
    }

    /**
     * The pool named {@code name}.
     *
     * @throws IllegalArgumentException naming the defined pools when there is none of that name
     */
    public Pool pool(String name) {
        Pool p = pools.get(name);
        if (p == null) {
            throw new IllegalArgumentException("pool: '" + name + "' is not defined (defined: "
                    + String.join(", ", pools.keySet()) + ")");
        }
        return p;
    }

    /** The pool named {@code name}, if defined. */
    public Optional<Pool> findPool(String name) {
        return Optional.ofNullable(pools.get(name));
    }

    /** All pools, in definition order. */
    public Collection<Pool> pools() {
        return List.copyOf(pools.values());
    }

    /** Picks a backend from pool {@code poolName} without counting it as load. */
    public Pick pick(String poolName, PickContext context) {
        return pool(poolName).pick(context);
    }

    /** Picks and leases a backend from pool {@code poolName}; {@link Lease#NONE} when none is eligible. */
    public Lease acquire(String poolName, PickContext context) {
        return pool(poolName).acquire(context);
    }

    /** The time source the load balancer runs on. */
    public Ticker ticker() {
        return ticker;
    }

    /** The scheduler the load balancer runs its timers on; other components may share it. */
    public Scheduler scheduler() {
        return scheduler;
    }

    /** Stops health checks, timers, probes and the scheduler thread it started. Idempotent. */
    @Override
    public void close() {
        if (state.getAndSet(CLOSED) == CLOSED) {
            return;
        }
        checkers.forEach(HealthChecker::stop);
        pools.values().forEach(Pool::close);
        for (HealthProbe probe : probes) {
            probe.close();
        }
        if (ownedScheduler != null) {
            ownedScheduler.close();
        }
    }
}
