package io.jlb.examples;

import io.jlb.core.Backend;
import io.jlb.core.DnsDiscovery;
import io.jlb.core.OutlierDetection;
import io.jlb.http.ForwardedHeaders;
import io.jlb.http.HttpLimits;
import io.jlb.http.HttpTimeouts;
import io.jlb.http.Policies;
import io.jlb.nio.ProxyProtocol;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What to run: pools and listeners. Built from the command line or from a YAML file, then started by
 * {@link Deployment}; nothing starts until the whole configuration has been read and checked.
 */
record Config(List<PoolSpec> pools, List<Listener> listeners, Observability observability, Tls tls) {

    Config(List<PoolSpec> pools, List<Listener> listeners) {
        this(pools, listeners, Observability.NONE, Tls.NONE);
    }

    Config(List<PoolSpec> pools, List<Listener> listeners, Observability observability) {
        this(pools, listeners, observability, Tls.NONE);
    }

    Config withObservability(Observability value) {
        return new Config(pools, listeners, value, tls);
    }

    Config withTls(Tls value) {
        return new Config(pools, listeners, observability, value);
    }

    /**
     * TLS: per listener name, what it terminates; per pool name, how HTTP listeners reach its backends over TLS;
     * {@code allBackends} for every pool without its own (null: plain TCP).
     */
    record Tls(Map<String, TlsSpecs.ListenerTls> listeners, Map<String, io.jlb.nio.ClientTls> pools,
            io.jlb.nio.ClientTls allBackends) {
        static final Tls NONE = new Tls(Map.of(), Map.of(), null);
    }

    /** The admin listener (null: none) and whether each listener writes an access log. */
    record Observability(Admin admin, boolean accessLog) {
        static final Observability NONE = new Observability(null, false);
    }

    /**
     * Where the admin listener binds, the bearer token it requires (null: none), and whether it may listen beyond
     * loopback without one.
     */
    record Admin(String listen, String token, boolean insecure) {
        Admin(String listen, String token) {
            this(listen, token, false);
        }
    }

    /** A pool of backends. {@code health} is null without active checks, {@code discovery} without DNS discovery. */
    record PoolSpec(String name, List<Backend> backends, String algorithm, HealthSpec health, Duration slowStart,
            OutlierDetection passive, int panicThreshold, DnsDiscovery discovery) {}

    /** Active health checking: {@code tcp}, or {@code http} with a probe spec ({@code /path,expect=..}). */
    record HealthSpec(String kind, String httpSpec, Duration interval, Duration timeout, int rise, int fall) {}

    /** A listener of any protocol. */
    sealed interface Listener permits Tcp, Udp, Http {
        String name();

        String listen();
    }

    /** An L4 TCP listener; {@code maxConnections} -1 for the default derived from the file-descriptor limit. */
    record Tcp(String name, String listen, String pool, List<Sni> sni, ProxyProtocol sendProxyProtocol,
            boolean acceptProxyProtocol, Duration connectTimeout, Duration idleTimeout, int connectAttempts,
            int maxConnections, int maxConnectionsPerBackend, Duration drainTimeout) implements Listener {}

    /** An SNI route of a TCP listener. */
    record Sni(String pattern, String pool) {}

    /** An L4 UDP listener. */
    record Udp(String name, String listen, String pool, Duration sessionTimeout, int maxSessions) implements Listener {}

    /**
     * An L7 HTTP listener; {@code maxConnections} -1 for the default derived from the file-descriptor limit,
     * {@code trustedProxies} null for none, {@code pathNormalization} null for the defaults.
     */
    record Http(String name, String listen, List<Route> routes, HttpLimits limits, HttpTimeouts timeouts,
            ForwardedHeaders forwarded, boolean acceptProxyProtocol, int connectAttempts, int maxIdlePerBackend,
            int maxConnections, Duration drainTimeout, Policies policies, io.jlb.nio.Cidrs trustedProxies,
            io.jlb.http.PathNormalization pathNormalization, io.jlb.http.Http2Settings http2) implements Listener {
        Http(String name, String listen, List<Route> routes, HttpLimits limits, HttpTimeouts timeouts,
                ForwardedHeaders forwarded, boolean acceptProxyProtocol, int connectAttempts, int maxIdlePerBackend,
                int maxConnections, Duration drainTimeout, Policies policies) {
            this(name, listen, routes, limits, timeouts, forwarded, acceptProxyProtocol, connectAttempts,
                    maxIdlePerBackend, maxConnections, drainTimeout, policies, null, null, null);
        }
    }

    /**
     * A route: conditions (all must hold; none matches everything), then one pool or weighted pools, an optional
     * prefix to strip, and its own policies (null: the listener's).
     */
    record Route(List<Condition> conditions, Map<String, Integer> targets, String stripPrefix, String source,
            Policies policies) {
        Route(List<Condition> conditions, Map<String, Integer> targets, String stripPrefix, String source) {
            this(conditions, targets, stripPrefix, source, null);
        }
    }

    /** One condition of a route, as written: {@code path=/api/*}, {@code header=X-Canary:true}, ... */
    record Condition(String kind, String value) {}
}
