package io.jlb.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
    /** How long {@link #start()} waits for DNS discovery's first answers. */
    public static final int FIRST_LOOKUP_WAIT_SECONDS = 5;
    private static final int NEW = 0;
    private static final int STARTED = 1;
    private static final int CLOSED = 2;

    private final Map<String, Pool> pools = new LinkedHashMap<>();
    private final List<HealthChecker> checkers;
    private final List<HealthProbe> probes;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final Map<String, DnsDiscoverer> discoverers;
    private final boolean waitForDiscovery;
    private final List<Scheduler.Closeable> ownedThreads;
    private final AtomicInteger state = new AtomicInteger(NEW);

    LoadBalancer(List<Pool> pools, List<HealthChecker> checkers, List<HealthProbe> probes,
            Map<String, DnsDiscoverer> discoverers, boolean waitForDiscovery, Ticker ticker, Scheduler scheduler,
            List<Scheduler.Closeable> ownedThreads) {
        for (Pool p : pools) {
            this.pools.put(p.name(), p);
        }
        this.checkers = List.copyOf(checkers);
        this.probes = List.copyOf(probes);
        this.discoverers = Map.copyOf(discoverers);
        this.waitForDiscovery = waitForDiscovery;
        this.ticker = ticker;
        this.scheduler = scheduler;
        this.ownedThreads = List.copyOf(ownedThreads);
    }

    /** A builder for a load balancer. */
    public static LoadBalancerBuilder builder() {
        return new LoadBalancerBuilder();
    }

    /**
     * Starts active health checking and DNS discovery. Picks work before this too, on unchecked backends. With
     * discovery, waits for each name's first lookup (at most {@value #FIRST_LOOKUP_WAIT_SECONDS} seconds in all), so
     * that a pool fed by DNS has its members when traffic arrives (not with an injected scheduler, which runs the
     * lookups when it is told to).
     *
     * @return this
     * @throws IllegalStateException when already started or closed
     */
    public LoadBalancer start() {
        if (!state.compareAndSet(NEW, STARTED)) {
            throw new IllegalStateException(state.get() == CLOSED ? "closed" : "already started");
        }
        checkers.forEach(HealthChecker::start);
        List<CompletableFuture<Void>> first = new ArrayList<>();
        discoverers.values().forEach(d -> first.add(d.start()));
        if (!waitForDiscovery) {
            return this;
        }
        try {
            CompletableFuture.allOf(first.toArray(CompletableFuture[]::new))
                    .get(FIRST_LOOKUP_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // slow or failing name servers: discovery goes on in the background, and reports it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return this;
    }

    /** What DNS discovery of pool {@code name} last saw; empty for a pool without discovery. */
    public Optional<DnsDiscovery.Status> discovery(String poolName) {
        DnsDiscoverer d = discoverers.get(poolName);
        return d == null ? Optional.empty() : Optional.of(d.status());
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

    /** Stops health checks, DNS discovery, timers, probes and the threads it started. Idempotent. */
    @Override
    public void close() {
        if (state.getAndSet(CLOSED) == CLOSED) {
            return;
        }
        checkers.forEach(HealthChecker::stop);
        discoverers.values().forEach(DnsDiscoverer::stop);
        pools.values().forEach(Pool::close);
        for (HealthProbe probe : probes) {
            probe.close();
        }
        ownedThreads.forEach(Scheduler.Closeable::close);
    }
}
