package io.jlb.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Describes one pool for {@link LoadBalancerBuilder#pool(String, java.util.function.Consumer)}. Each option may be
 * set once; backends may be added any number of times. Unset options take the defaults: the {@code p2c} selector,
 * no active health checks, passive {@link OutlierDetection#defaults() outlier detection}, no slow start, a panic threshold of 50 %.
 */
public final class PoolBuilder {
    private final String name;
    private final List<Backend> backends = new ArrayList<>();
    private Selector selector;
    private HealthCheck healthCheck;
    private Duration slowStart;
    private OutlierDetection outlierDetection;
    private Integer panicThreshold;
    private DnsDiscovery discovery;

    PoolBuilder(String name) {
        this.name = name;
    }

    /** Adds a backend. */
    public PoolBuilder backend(Backend backend) {
        backends.add(Objects.requireNonNull(backend, "backend"));
        return this;
    }

    /** Adds a backend given as {@code host:port}. */
    public PoolBuilder backend(String hostAndPort) {
        return backend(Backend.parse(hostAndPort));
    }

    /** Adds backends given as {@code host:port}. */
    public PoolBuilder backends(String... hostAndPorts) {
        for (String b : hostAndPorts) {
            backend(b);
        }
        return this;
    }

    /** The selector; a fresh instance, not shared with another pool. */
    public PoolBuilder selector(Selector value) {
        selector = once("selector", selector, Objects.requireNonNull(value, "selector"));
        return this;
    }

    /** The selector, by {@link Selector#named(String) name}. */
    public PoolBuilder selector(String algorithm) {
        return selector(Selector.named(algorithm));
    }

    /** Active health checking. */
    public PoolBuilder healthCheck(HealthCheck value) {
        healthCheck = once("healthCheck", healthCheck, Objects.requireNonNull(value, "healthCheck"));
        return this;
    }

    /** The slow-start window over which new and recovered backends ramp up; zero turns it off. */
    public PoolBuilder slowStart(Duration window) {
        Objects.requireNonNull(window, "slowStart");
        if (window.isNegative()) {
            throw new IllegalArgumentException("slowStart: " + window + " (expected: >= 0)");
        }
        slowStart = once("slowStart", slowStart, window);
        return this;
    }

    /** Passive failure detection; {@link OutlierDetection#disabled()} turns it off. */
    public PoolBuilder outlierDetection(OutlierDetection value) {
        outlierDetection = once("outlierDetection", outlierDetection, Objects.requireNonNull(value, "outlierDetection"));
        return this;
    }

    /**
     * Panic when fewer than {@code percent} of primaries are healthy: then pick among all of them, as Envoy does;
     * 50 unless set, 0 is off. Passive detection never ejects a backend when that would make the pool panic.
     */
    public PoolBuilder panicThreshold(int percent) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("panicThreshold: " + percent + " (expected: 0 to 100)");
        }
        panicThreshold = once("panicThreshold", panicThreshold, percent);
        return this;
    }

    /**
     * Takes members from DNS as well: the backends {@code value} resolves to, kept current while the load balancer
     * runs. Backends added by hand stay.
     */
    public PoolBuilder discover(DnsDiscovery value) {
        discovery = once("discover", discovery, Objects.requireNonNull(value, "discover"));
        return this;
    }

    private <T> T once(String option, T current, T value) {
        if (current != null) {
            throw new IllegalStateException("pool '" + name + "': " + option + " is already set to " + describe(current));
        }
        return value;
    }

    private static String describe(Object value) {
        return value instanceof Selector s ? s.name() : String.valueOf(value);
    }

    String name() {
        return name;
    }

    Selector selectorOrDefault() {
        return selector != null ? selector : Selector.defaultSelector();
    }

    HealthCheck healthCheck() {
        return healthCheck;
    }

    DnsDiscovery discovery() {
        return discovery;
    }

    Pool build(Ticker ticker, Scheduler scheduler) {
        return new Pool(name, selectorOrDefault(), ticker, scheduler,
                slowStart != null ? slowStart : Duration.ZERO,
                outlierDetection != null ? outlierDetection : OutlierDetection.defaults(),
                panicThreshold != null ? panicThreshold : 50,
                backends);
    }
}
