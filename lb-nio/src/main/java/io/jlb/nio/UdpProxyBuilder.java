package io.jlb.nio;

import io.jlb.core.LoadBalancer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Configures a {@link UdpProxy}. Each option may be set once. Defaults: sessions expire after 30 s without a
 * datagram either way, at most 65,536 sessions at once.
 */
public final class UdpProxyBuilder {
    private InetSocketAddress listen;
    private LoadBalancer loadBalancer;
    private String pool;
    private EventLoopGroup eventLoops;
    private Integer threads;
    private Duration sessionTimeout;
    private Integer maxSessions;
    private String name;
    private AccessLog accessLog;

    UdpProxyBuilder() {}

    /** The address to listen on; port 0 picks a free one. Required. */
    public UdpProxyBuilder listen(InetSocketAddress address) {
        listen = Options.once("listen", listen, Objects.requireNonNull(address, "listen"));
        return this;
    }

    /** Listens on {@code host:port}. */
    public UdpProxyBuilder listen(String hostAndPort) {
        return listen(Options.socketAddress("listen", hostAndPort));
    }

    /** Where backends come from. Required. */
    public UdpProxyBuilder loadBalancer(LoadBalancer value) {
        loadBalancer = Options.once("loadBalancer", loadBalancer, Objects.requireNonNull(value, "loadBalancer"));
        return this;
    }

    /** The pool sessions go to. Required. */
    public UdpProxyBuilder pool(String poolName) {
        pool = Options.once("pool", pool, Objects.requireNonNull(poolName, "pool"));
        return this;
    }

    /** Loops to run on, shared with other proxies; otherwise the proxy starts its own. */
    public UdpProxyBuilder eventLoops(EventLoopGroup group) {
        eventLoops = Options.once("eventLoops", eventLoops, Objects.requireNonNull(group, "eventLoops"));
        return this;
    }

    /** How many loops to start when no group is given; default: available processors. */
    public UdpProxyBuilder threads(int count) {
        threads = Options.once("threads", threads, Options.atLeast("threads", count, 1));
        return this;
    }

    /** A client's session (its backend and socket) ends after this long without a datagram either way. */
    public UdpProxyBuilder sessionTimeout(Duration value) {
        sessionTimeout = Options.once("sessionTimeout", sessionTimeout, Options.positive("sessionTimeout", value));
        return this;
    }

    /** The most sessions at once; datagrams from new clients beyond it are dropped. */
    public UdpProxyBuilder maxSessions(int count) {
        maxSessions = Options.once("maxSessions", maxSessions, Options.atLeast("maxSessions", count, 1));
        return this;
    }

    /** A name for logs; default {@code udp}. */
    public UdpProxyBuilder name(String value) {
        name = Options.once("name", name, Objects.requireNonNull(value, "name"));
        return this;
    }

    /** Writes one line per session when it ends (see {@link AccessLog}); the caller owns and closes the log. */
    public UdpProxyBuilder accessLog(AccessLog log) {
        accessLog = Options.once("accessLog", accessLog, Objects.requireNonNull(log, "accessLog"));
        return this;
    }

    /** Builds the proxy; {@link UdpProxy#start()} binds it. */
    public UdpProxy build() {
        if (listen == null) {
            throw new IllegalStateException("listen: not set (expected: an address to listen on)");
        }
        if (loadBalancer == null) {
            throw new IllegalStateException("loadBalancer: not set");
        }
        if (pool == null) {
            throw new IllegalStateException("pool: not set");
        }
        if (eventLoops != null && threads != null) {
            throw new IllegalStateException("threads: set on the given eventLoops group, not here");
        }
        loadBalancer.pool(pool);
        return new UdpProxy(listen, loadBalancer.pool(pool), eventLoops,
                threads != null ? threads : Runtime.getRuntime().availableProcessors(),
                sessionTimeout != null ? sessionTimeout : Duration.ofSeconds(30),
                maxSessions != null ? maxSessions : 65_536, name != null ? name : "udp", accessLog);
    }
}
