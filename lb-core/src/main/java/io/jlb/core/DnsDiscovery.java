package io.jlb.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Where a pool's members come from when they are not listed by hand: a DNS name, re-resolved on an interval, whose
 * answers become the pool's backends. New addresses are added (ramping up under slow start); vanished ones are
 * drained, then removed once idle; an address that comes back before that is simply undrained.
 *
 * <ul>
 *   <li>{@link #addresses(String, int) addresses(host, port)}: every A and AAAA record of {@code host}, at
 *   {@code port}, weight 1 (or {@link #withWeight}). A Kubernetes headless service name gives one backend per
 *   ready pod.
 *   <li>{@link #srv(String) srv(name)}: every SRV record of {@code name} (Consul's
 *   {@code api.service.consul} as {@code _api._tcp.service.consul}), each target resolved to its addresses, at the
 *   record's port. The lowest priority's records are primaries and the others backups; the SRV weight becomes the
 *   backend's weight (0 counts as 1, above 1000 as 1000).
 * </ul>
 *
 * <p>A failed lookup (no such name, no answer, a timeout) changes nothing: the pool keeps the members it had, and the
 * failure is reported in {@link Status} and logged. Backends the pool was built with stay whatever DNS says.
 * Several balancer instances fed by the same name agree on backends and, with a consistent-hashing selector, on
 * which key goes where, without talking to each other.
 *
 * <pre>{@code
 * LoadBalancer.builder().pool("api", p -> p
 *         .discover(DnsDiscovery.addresses("api.default.svc.cluster.local", 8080).withInterval(Duration.ofSeconds(5)))
 *         .selector("ring-hash"));
 * }</pre>
 */
public final class DnsDiscovery {
    /** How often names are resolved again unless set. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

    /** What kind of records are asked for. */
    public enum Kind {
        /** A and AAAA records, with a fixed port. */
        ADDRESSES,
        /** SRV records, each target then resolved to its addresses. */
        SRV
    }

    private final Kind kind;
    private final String name;
    private final int port;
    private final int weight;
    private final Duration interval;
    private final DnsResolver resolver;

    private DnsDiscovery(Kind kind, String name, int port, int weight, Duration interval, DnsResolver resolver) {
        this.kind = kind;
        this.name = name;
        this.port = port;
        this.weight = weight;
        this.interval = interval;
        this.resolver = resolver;
    }

    /** Backends at every address of {@code host}, on {@code port}. */
    public static DnsDiscovery addresses(String host, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1 to 65535)");
        }
        return new DnsDiscovery(Kind.ADDRESSES, checkName(host), port, Backend.DEFAULT_WEIGHT, DEFAULT_INTERVAL,
                DnsResolver.system());
    }

    /** Backends at every target of the SRV records of {@code name}. */
    public static DnsDiscovery srv(String name) {
        return new DnsDiscovery(Kind.SRV, checkName(name), 0, Backend.DEFAULT_WEIGHT, DEFAULT_INTERVAL,
                DnsResolver.system());
    }

    private static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        String n = name.trim();
        if (n.isEmpty() || n.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new IllegalArgumentException("name: '" + name + "' (expected: a DNS name)");
        }
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    /** A copy resolving every {@code interval} (at least 100 ms). */
    public DnsDiscovery withInterval(Duration value) {
        Objects.requireNonNull(value, "interval");
        if (value.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("interval: " + Durations.format(value) + " (expected: at least 100ms)");
        }
        return new DnsDiscovery(kind, name, port, weight, value, resolver);
    }

    /** A copy asking {@code value} instead of the system's resolver. */
    public DnsDiscovery withResolver(DnsResolver value) {
        return new DnsDiscovery(kind, name, port, weight, interval, Objects.requireNonNull(value, "resolver"));
    }

    /** A copy giving address backends this weight (SRV backends take the record's). */
    public DnsDiscovery withWeight(int value) {
        if (value < 1 || value > Backend.MAX_WEIGHT) {
            throw new IllegalArgumentException("weight: " + value + " (expected: 1 to " + Backend.MAX_WEIGHT + ")");
        }
        return new DnsDiscovery(kind, name, port, value, interval, resolver);
    }

    /** Which records are asked for. */
    public Kind kind() {
        return kind;
    }

    /** The name resolved. */
    public String name() {
        return name;
    }

    /** The port of address backends; 0 for SRV. */
    public int port() {
        return port;
    }

    /** The weight of address backends. */
    public int weight() {
        return weight;
    }

    /** How often the name is resolved again. */
    public Duration interval() {
        return interval;
    }

    /** Who answers. */
    public DnsResolver resolver() {
        return resolver;
    }

    @Override
    public String toString() {
        return kind == Kind.SRV ? "srv " + name : name + ":" + port;
    }

    /**
     * What discovery last saw: lookups done and failed, the members it manages, the last error (null after a
     * success) and when the last lookup ended (a {@link Ticker} reading, -1 before the first).
     */
    public record Status(String query, long lookups, long failures, int members, String lastError,
            long lastLookupNanos) {}
}
