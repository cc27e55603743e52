package io.jlb.core;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Builds a {@link LoadBalancer}: its pools, and optionally the ticker and scheduler it runs on (tests inject fakes).
 * Each option may be set once; {@link #build()} checks what spans options.
 */
public final class LoadBalancerBuilder {
    private final Map<String, PoolBuilder> pools = new LinkedHashMap<>();
    private Ticker ticker;
    private Scheduler scheduler;

    LoadBalancerBuilder() {}

    /**
     * Adds a pool named {@code name}, described by {@code spec}.
     *
     * <pre>{@code
     * builder.pool("api", p -> p.backends("10.0.0.1:8080", "10.0.0.2:8080").selector("least-connections"))
     * }</pre>
     */
    public LoadBalancerBuilder pool(String name, Consumer<PoolBuilder> spec) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(spec, "spec");
        if (name.isBlank() || !name.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-_.".indexOf(c) >= 0)) {
            throw new IllegalArgumentException("pool name: '" + name + "' (expected: letters, digits, '-', '_', '.')");
        }
        if (pools.containsKey(name)) {
            throw new IllegalStateException("pool '" + name + "' is already defined");
        }
        PoolBuilder b = new PoolBuilder(name);
        spec.accept(b);
        pools.put(name, b);
        return this;
    }

    /** The time source; {@link Ticker#system()} unless set. */
    public LoadBalancerBuilder ticker(Ticker value) {
        if (ticker != null) {
            throw new IllegalStateException("ticker is already set");
        }
        ticker = Objects.requireNonNull(value, "ticker");
        return this;
    }

    /** Where health probes, timers and deferred pool changes run; one daemon thread of its own unless set. */
    public LoadBalancerBuilder scheduler(Scheduler value) {
        if (scheduler != null) {
            throw new IllegalStateException("scheduler is already set");
        }
        scheduler = Objects.requireNonNull(value, "scheduler");
        return this;
    }

    /**
     * Builds the load balancer; call {@link LoadBalancer#start()} to begin health checking.
     *
     * @throws IllegalStateException when no pool is defined or one selector instance is given to two pools
     */
    public LoadBalancer build() {
        if (pools.isEmpty()) {
            throw new IllegalStateException("no pool defined (expected: at least one pool(..))");
        }
        Map<Selector, String> owners = new IdentityHashMap<>();
        for (PoolBuilder p : pools.values()) {
            String other = owners.put(p.selectorOrDefault(), p.name());
            if (other != null) {
                throw new IllegalStateException("selector: pools '" + other + "' and '" + p.name()
                        + "' share one Selector instance (expected: one per pool; call the factory again)");
            }
        }
        Ticker t = ticker != null ? ticker : Ticker.system();
        Scheduler.Closeable owned = scheduler == null ? Scheduler.newDaemon("jlb-scheduler") : null;
        Scheduler s = scheduler != null ? scheduler : owned;
        // DNS lookups block: without an injected scheduler they get a thread of their own, so that a slow name
        // server never delays a health probe or an ejection timer.
        boolean discovering = pools.values().stream().anyMatch(p -> p.discovery() != null);
        Scheduler.Closeable lookupThread = discovering && scheduler == null ? Scheduler.newDaemon("jlb-dns") : null;
        List<Pool> built = new ArrayList<>();
        List<HealthChecker> checkers = new ArrayList<>();
        List<HealthProbe> probes = new ArrayList<>();
        Map<String, DnsDiscoverer> discoverers = new LinkedHashMap<>();
        for (PoolBuilder p : pools.values()) {
            Pool pool = p.build(t, s);
            built.add(pool);
            HealthCheck check = p.healthCheck();
            if (check != null) {
                checkers.add(new HealthChecker(pool, check, s, Rng.THREAD_LOCAL));
                probes.add(check.probe());
            }
            if (p.discovery() != null) {
                discoverers.put(p.name(), new DnsDiscoverer(pool, p.discovery(), s, lookupThread != null ? lookupThread : s, t));
            }
        }
        List<Scheduler.Closeable> ownedThreads = new ArrayList<>();
        if (owned != null) {
            ownedThreads.add(owned);
        }
        if (lookupThread != null) {
            ownedThreads.add(lookupThread);
        }
        // With an injected scheduler (a test's manual clock), lookups run when it runs them: start() cannot wait.
        boolean waitForDiscovery = lookupThread != null;
        return new LoadBalancer(built, checkers, probes, discoverers, waitForDiscovery, t, s, ownedThreads);
    }
}
