package io.jlb.nio;

import io.jlb.core.LoadBalancer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Configures a {@link TcpProxy}. Each option may be set once; {@link #build()} checks the options against each
 * other and against the load balancer's pools. Defaults are what a production L4 proxy wants: 5 s connect timeout,
 * three connection attempts on different backends, 10 min idle timeout, 5 s to receive a PROXY header or a TLS
 * ClientHello when those are inspected, a 30 s drain on close, no connection limits.
 */
public final class TcpProxyBuilder {
    private InetSocketAddress listen;
    private LoadBalancer loadBalancer;
    private String pool;
    private final List<SniRoute> sniRoutes = new ArrayList<>();
    private EventLoopGroup eventLoops;
    private Integer threads;
    private Integer bufferSize;
    private Duration connectTimeout;
    private Duration idleTimeout;
    private Duration inspectTimeout;
    private Duration drainTimeout;
    private Integer connectAttempts;
    private Integer maxConnections;
    private Integer maxConnectionsPerBackend;
    private ProxyProtocol sendProxyProtocol;
    private AccessLog accessLog;
    private ServerTls tls;
    private java.util.concurrent.Executor handshakes;
    private Boolean acceptProxyProtocol;
    private Integer backlog;
    private String name;

    TcpProxyBuilder() {}

    /** The address to listen on; port 0 picks a free one (see {@link TcpProxy#address()}). Required. */
    public TcpProxyBuilder listen(InetSocketAddress address) {
        listen = Options.once("listen", listen, Objects.requireNonNull(address, "listen"));
        return this;
    }

    /** Listens on {@code host:port}. */
    public TcpProxyBuilder listen(String hostAndPort) {
        return listen(Options.socketAddress("listen", hostAndPort));
    }

    /** Where backends come from. Required. The proxy does not start or close it. */
    public TcpProxyBuilder loadBalancer(LoadBalancer value) {
        loadBalancer = Options.once("loadBalancer", loadBalancer, Objects.requireNonNull(value, "loadBalancer"));
        return this;
    }

    /** The pool connections go to (those no SNI route claims, when routes are set). */
    public TcpProxyBuilder pool(String poolName) {
        pool = Options.once("pool", pool, Objects.requireNonNull(poolName, "pool"));
        return this;
    }

    /**
     * Routes TLS connections by the server name in their ClientHello, without terminating TLS; the first matching
     * route wins, others go to {@link #pool(String)} (or are closed without one).
     */
    public TcpProxyBuilder sniRoute(String hostPattern, String poolName) {
        sniRoutes.add(new SniRoute(hostPattern, poolName));
        return this;
    }

    /** Loops to run on, shared with other proxies; not closed by the proxy. Otherwise it starts its own. */
    public TcpProxyBuilder eventLoops(EventLoopGroup group) {
        eventLoops = Options.once("eventLoops", eventLoops, Objects.requireNonNull(group, "eventLoops"));
        return this;
    }

    /** How many loops to start when no group is given; default: available processors. */
    public TcpProxyBuilder threads(int count) {
        threads = Options.once("threads", threads, Options.atLeast("threads", count, 1));
        return this;
    }

    /** Relay buffer size in bytes when no group is given; default 64 KiB. */
    public TcpProxyBuilder bufferSize(int bytes) {
        bufferSize = Options.once("bufferSize", bufferSize, Options.atLeast("bufferSize", bytes, 1024));
        return this;
    }

    /** How long a backend connect may take before the next backend is tried. */
    public TcpProxyBuilder connectTimeout(Duration value) {
        connectTimeout = Options.once("connectTimeout", connectTimeout, Options.positive("connectTimeout", value));
        return this;
    }

    /** Closes a connection when no byte moved either way for this long; zero disables. */
    public TcpProxyBuilder idleTimeout(Duration value) {
        idleTimeout = Options.once("idleTimeout", idleTimeout, Options.notNegative("idleTimeout", value));
        return this;
    }

    /** How long to wait for a PROXY header or a ClientHello before closing the client. */
    public TcpProxyBuilder inspectTimeout(Duration value) {
        inspectTimeout = Options.once("inspectTimeout", inspectTimeout, Options.positive("inspectTimeout", value));
        return this;
    }

    /** On close, how long open connections may finish before they are cut. */
    public TcpProxyBuilder drainTimeout(Duration value) {
        drainTimeout = Options.once("drainTimeout", drainTimeout, Options.notNegative("drainTimeout", value));
        return this;
    }

    /** Backend connection attempts per client, each on another backend where one is eligible. */
    public TcpProxyBuilder connectAttempts(int attempts) {
        connectAttempts = Options.once("connectAttempts", connectAttempts, Options.atLeast("connectAttempts", attempts, 1));
        return this;
    }

    /**
     * The most client connections open at once; further ones wait in the listen backlog. 0: no limit. Unless set,
     * half the file descriptors the process may open (less a reserve), so that a flood cannot exhaust them.
     */
    public TcpProxyBuilder maxConnections(int count) {
        maxConnections = Options.once("maxConnections", maxConnections, Options.atLeast("maxConnections", count, 0));
        return this;
    }

    /** The most connections open to one backend; a full backend is skipped. 0: no limit. */
    public TcpProxyBuilder maxConnectionsPerBackend(int count) {
        maxConnectionsPerBackend = Options.once("maxConnectionsPerBackend", maxConnectionsPerBackend,
                Options.atLeast("maxConnectionsPerBackend", count, 0));
        return this;
    }

    /** Sends a PROXY protocol header to each backend, so it sees the client's address. */
    public TcpProxyBuilder sendProxyProtocol(ProxyProtocol version) {
        sendProxyProtocol = Options.once("sendProxyProtocol", sendProxyProtocol, Objects.requireNonNull(version));
        return this;
    }

    /**
     * Writes one line per connection to {@code log} when it ends (see {@link AccessLog} for the format). The caller
     * owns the log and closes it after the proxy.
     */
    public TcpProxyBuilder accessLog(AccessLog log) {
        accessLog = Options.once("accessLog", accessLog, Objects.requireNonNull(log, "accessLog"));
        return this;
    }

    /**
     * Terminates TLS on this listener: clients speak TLS, backends get the plaintext. (For TLS passed through
     * untouched, routed by server name, use {@link #sniRoute} instead.)
     */
    public TcpProxyBuilder tls(ServerTls value) {
        tls = Options.once("tls", tls, Objects.requireNonNull(value, "tls"));
        return this;
    }

    /**
     * Where the CPU-heavy tasks of TLS handshakes run, off the event loops. Unless set, a shared pool of one thread
     * per processor, its queue bounded.
     */
    public TcpProxyBuilder handshakeExecutor(java.util.concurrent.Executor value) {
        handshakes = Options.once("handshakeExecutor", handshakes, Objects.requireNonNull(value, "handshakeExecutor"));
        return this;
    }

    /** Requires a PROXY protocol header (v1 or v2) from a balancer in front; connections without one are closed. */
    public TcpProxyBuilder acceptProxyProtocol(boolean required) {
        acceptProxyProtocol = Options.once("acceptProxyProtocol", acceptProxyProtocol, required);
        return this;
    }

    /** The listen backlog; default 1024. */
    public TcpProxyBuilder backlog(int size) {
        backlog = Options.once("backlog", backlog, Options.atLeast("backlog", size, 1));
        return this;
    }

    /** A name for logs; default {@code tcp}. */
    public TcpProxyBuilder name(String value) {
        name = Options.once("name", name, Objects.requireNonNull(value, "name"));
        return this;
    }

    /**
     * Builds the proxy; {@link TcpProxy#start()} binds it.
     *
     * @throws IllegalStateException when a required option is missing or options contradict each other
     * @throws IllegalArgumentException when a pool is not defined in the load balancer
     */
    public TcpProxy build() {
        if (listen == null) {
            throw new IllegalStateException("listen: not set (expected: an address to listen on)");
        }
        if (loadBalancer == null) {
            throw new IllegalStateException("loadBalancer: not set");
        }
        if (pool == null && sniRoutes.isEmpty()) {
            throw new IllegalStateException("pool: not set (expected: a pool, or SNI routes)");
        }
        if (eventLoops != null && (threads != null || bufferSize != null)) {
            throw new IllegalStateException("threads/bufferSize: set on the given eventLoops group, not here");
        }
        if (tls != null && !sniRoutes.isEmpty()) {
            throw new IllegalStateException("tls and sniRoute: a listener either terminates TLS or passes it through");
        }
        if (pool != null) {
            loadBalancer.pool(pool);
        }
        for (SniRoute r : sniRoutes) {
            loadBalancer.pool(r.pool());
        }
        return new TcpProxy(this);
    }

    InetSocketAddress listenAddress() {
        return listen;
    }

    LoadBalancer loadBalancer() {
        return loadBalancer;
    }

    String poolName() {
        return pool;
    }

    List<SniRoute> sniRoutes() {
        return List.copyOf(sniRoutes);
    }

    EventLoopGroup eventLoops() {
        return eventLoops;
    }

    int threads() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }

    int bufferSize() {
        return bufferSize != null ? bufferSize : EventLoopGroup.DEFAULT_BUFFER_SIZE;
    }

    Duration connectTimeout() {
        return connectTimeout != null ? connectTimeout : Duration.ofSeconds(5);
    }

    Duration idleTimeout() {
        return idleTimeout != null ? idleTimeout : Duration.ofMinutes(10);
    }

    Duration inspectTimeout() {
        return inspectTimeout != null ? inspectTimeout : Duration.ofSeconds(5);
    }

    Duration drainTimeout() {
        return drainTimeout != null ? drainTimeout : Duration.ofSeconds(30);
    }

    int connectAttempts() {
        return connectAttempts != null ? connectAttempts : 3;
    }

    int maxConnections() {
        return maxConnections != null ? maxConnections : io.jlb.nio.internal.ConnectionLimits.defaultMaxConnections();
    }

    int maxConnectionsPerBackend() {
        return maxConnectionsPerBackend != null ? maxConnectionsPerBackend : 0;
    }

    ProxyProtocol sendProxyProtocol() {
        return sendProxyProtocol;
    }

    AccessLog accessLog() {
        return accessLog;
    }

    ServerTls tls() {
        return tls;
    }

    java.util.concurrent.Executor handshakes() {
        return handshakes != null ? handshakes : io.jlb.nio.internal.OffLoop.handshakes();
    }

    boolean acceptProxyProtocol() {
        return acceptProxyProtocol != null && acceptProxyProtocol;
    }

    int backlog() {
        return backlog != null ? backlog : 1024;
    }

    String name() {
        return name != null ? name : "tcp";
    }
}
