package io.jlb.http;

import io.jlb.core.LoadBalancer;
import io.jlb.core.Pool;
import io.jlb.nio.AccessLog;
import io.jlb.nio.ClientTls;
import io.jlb.nio.ServerTls;
import io.jlb.nio.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Configures an {@link HttpProxy}. Each option may be set once, except {@link #routes}, whose calls add routes in
 * order. Defaults: {@link HttpLimits#defaults()}, {@link HttpTimeouts#defaults()}, {@link ForwardedHeaders#defaults()},
 * three backend connect attempts, up to 1024 idle keep-alive connections per backend per loop (each closed after the backend-idle timeout), WebSocket tunnels idle
 * for up to one hour, a 30 s drain on close.
 */
public final class HttpProxyBuilder {
    private InetSocketAddress listen;
    private LoadBalancer loadBalancer;
    private final Routes routes = new Routes();
    private EventLoopGroup eventLoops;
    private Integer threads;
    private Integer bufferSize;
    private HttpLimits limits;
    private HttpTimeouts timeouts;
    private ForwardedHeaders forwarded;
    private Boolean acceptProxyProtocol;
    private Integer connectAttempts;
    private Integer maxIdlePerBackend;
    private Integer maxConnections;
    private Duration tunnelIdleTimeout;
    private Duration drainTimeout;
    private Integer backlog;
    private String name;
    private AccessLog accessLog;
    private Policies policies;
    private ServerTls tls;
    private String clientCertificateHeader;
    private ClientTls backendTls;
    private final Map<String, ClientTls> backendTlsByPool = new java.util.LinkedHashMap<>();
    private io.jlb.nio.Cidrs trustedProxies;
    private PathNormalization pathNormalization;
    private Http2Settings http2;
    private io.jlb.nio.internal.Connector connector;
    private java.util.concurrent.Executor checks;
    private java.util.concurrent.Executor handshakes;

    HttpProxyBuilder() {}

    /** The address to listen on; port 0 picks a free one. Required. */
    public HttpProxyBuilder listen(InetSocketAddress address) {
        listen = once("listen", listen, Objects.requireNonNull(address, "listen"));
        return this;
    }

    /** Listens on {@code host:port} ({@code *:port} or {@code :port} for every address). */
    public HttpProxyBuilder listen(String hostAndPort) {
        Objects.requireNonNull(hostAndPort, "listen");
        int colon = hostAndPort.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("listen: '" + hostAndPort + "' (expected: host:port)");
        }
        String host = hostAndPort.substring(0, colon).replace("[", "").replace("]", "");
        int port;
        try {
            port = Integer.parseInt(hostAndPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("listen: '" + hostAndPort + "' (expected: host:port)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("listen: '" + hostAndPort + "' (expected: a port from 0 to 65535)");
        }
        return listen(host.isEmpty() || host.equals("*") ? new InetSocketAddress(port) : new InetSocketAddress(host, port));
    }

    /** Where backends come from. Required. The proxy does not start or close it. */
    public HttpProxyBuilder loadBalancer(LoadBalancer value) {
        loadBalancer = once("loadBalancer", loadBalancer, Objects.requireNonNull(value, "loadBalancer"));
        return this;
    }

    /** Adds routes, in order, after those of earlier calls. See {@link Routes}. */
    public HttpProxyBuilder routes(Consumer<Routes> spec) {
        spec.accept(routes);
        return this;
    }

    /** Sends every request no route took to {@code pool} (a last, catch-all route). */
    public HttpProxyBuilder pool(String poolName) {
        routes.defaultTo(poolName);
        return this;
    }

    /** Loops to run on, shared with other proxies; otherwise the proxy starts its own. */
    public HttpProxyBuilder eventLoops(EventLoopGroup group) {
        eventLoops = once("eventLoops", eventLoops, Objects.requireNonNull(group, "eventLoops"));
        return this;
    }

    /** How many loops to start when no group is given; default: available processors. */
    public HttpProxyBuilder threads(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("threads: " + count + " (expected: >= 1)");
        }
        threads = once("threads", threads, count);
        return this;
    }

    /** The buffer size when no group is given; default 64 KiB. A request head must fit in one buffer. */
    public HttpProxyBuilder bufferSize(int bytes) {
        if (bytes < 4096) {
            throw new IllegalArgumentException("bufferSize: " + bytes + " (expected: >= 4096)");
        }
        bufferSize = once("bufferSize", bufferSize, bytes);
        return this;
    }

    /** Request size limits. */
    public HttpProxyBuilder limits(HttpLimits value) {
        limits = once("limits", limits, Objects.requireNonNull(value, "limits"));
        return this;
    }

    /** Timeouts. */
    public HttpProxyBuilder timeouts(HttpTimeouts value) {
        timeouts = once("timeouts", timeouts, Objects.requireNonNull(value, "timeouts"));
        return this;
    }

    /** Which proxy headers to add (X-Forwarded-*, Forwarded, Via). */
    public HttpProxyBuilder forwardedHeaders(ForwardedHeaders value) {
        forwarded = once("forwardedHeaders", forwarded, Objects.requireNonNull(value, "forwardedHeaders"));
        return this;
    }

    /**
     * Requires a PROXY protocol header (v1 or v2) from an L4 balancer in front; its client address is then used for
     * X-Forwarded-For, Forwarded and IP hashing. A connection without a valid header is closed.
     */
    public HttpProxyBuilder acceptProxyProtocol(boolean required) {
        acceptProxyProtocol = once("acceptProxyProtocol", acceptProxyProtocol, required);
        return this;
    }

    /** Backend connection attempts per request, each on another backend where one is eligible. */
    public HttpProxyBuilder connectAttempts(int attempts) {
        if (attempts < 1) {
            throw new IllegalArgumentException("connectAttempts: " + attempts + " (expected: >= 1)");
        }
        connectAttempts = once("connectAttempts", connectAttempts, attempts);
        return this;
    }

    /**
     * Idle keep-alive connections kept per backend per loop; default 1024 (as many as a busy moment needed, each
     * closed after the backend-idle timeout); 0 disables backend keep-alive.
     */
    public HttpProxyBuilder maxIdlePerBackend(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("maxIdlePerBackend: " + count + " (expected: >= 0)");
        }
        maxIdlePerBackend = once("maxIdlePerBackend", maxIdlePerBackend, count);
        return this;
    }

    /**
     * The most client connections open at once; further ones wait in the listen backlog. 0: no limit. Unless set,
     * half the file descriptors the process may open (less a reserve), so that a flood cannot exhaust them. Near the
     * limit, idle keep-alive connections are closed after {@link HttpTimeouts#keepAliveUnderLoad()}.
     */
    public HttpProxyBuilder maxConnections(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("maxConnections: " + count + " (expected: >= 0)");
        }
        maxConnections = once("maxConnections", maxConnections, count);
        return this;
    }

    /** How long an upgraded (WebSocket) tunnel may be idle. */
    public HttpProxyBuilder tunnelIdleTimeout(Duration value) {
        Objects.requireNonNull(value, "tunnelIdleTimeout");
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("tunnelIdleTimeout: " + value + " (expected: > 0)");
        }
        tunnelIdleTimeout = once("tunnelIdleTimeout", tunnelIdleTimeout, value);
        return this;
    }

    /** On close, how long open exchanges may finish before they are cut. */
    public HttpProxyBuilder drainTimeout(Duration value) {
        Objects.requireNonNull(value, "drainTimeout");
        if (value.isNegative()) {
            throw new IllegalArgumentException("drainTimeout: " + value + " (expected: >= 0)");
        }
        drainTimeout = once("drainTimeout", drainTimeout, value);
        return this;
    }

    /** The listen backlog; default 1024. */
    public HttpProxyBuilder backlog(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("backlog: " + size + " (expected: >= 1)");
        }
        backlog = once("backlog", backlog, size);
        return this;
    }

    /** A name for logs; default {@code http}. */
    public HttpProxyBuilder name(String value) {
        name = once("name", name, Objects.requireNonNull(value, "name"));
        return this;
    }

    /**
     * Terminates TLS: an HTTPS listener offering {@code http/1.1} by ALPN, its certificate chosen by SNI;
     * {@code X-Forwarded-Proto: https} goes to backends.
     */
    public HttpProxyBuilder tls(ServerTls value) {
        tls = once("tls", tls, Objects.requireNonNull(value, "tls"));
        return this;
    }

    /**
     * With client certificates (mTLS), the header that carries the verified subject to backends;
     * {@code X-Client-Cert-Subject} unless set. The same header arriving from a client is always removed, on every
     * listener, with mTLS or not.
     */
    public HttpProxyBuilder clientCertificateHeader(String name) {
        clientCertificateHeader = once("clientCertificateHeader", clientCertificateHeader, HeaderRules.checkName(name));
        return this;
    }

    /**
     * The proxies in front of this one whose X-Forwarded-For, Forwarded and X-Real-IP are believed: from a peer in
     * these ranges the headers are kept and extended, and the client's address (for rate limits, hashing, logs and
     * {@code {client_ip}}) is the last address in X-Forwarded-For that is not itself a trusted proxy. From any other
     * peer they are replaced. None unless set. With the PROXY protocol, the peer is the address it names.
     */
    public HttpProxyBuilder trustedProxies(String... cidrs) {
        return trustedProxies(io.jlb.nio.Cidrs.parse(cidrs));
    }

    /** The trusted proxies; see {@link #trustedProxies(String...)}. */
    public HttpProxyBuilder trustedProxies(io.jlb.nio.Cidrs value) {
        trustedProxies = once("trustedProxies", trustedProxies, Objects.requireNonNull(value, "trustedProxies"));
        return this;
    }

    /**
     * HTTP/2 toward clients: offered with ALPN {@code h2} on TLS listeners and taken with prior knowledge on
     * cleartext ones (the connection preface tells it from HTTP/1.1 on the same port); its SETTINGS and limits.
     * Default: {@link Http2Settings#defaults()}, on. {@code Upgrade: h2c} is never honoured.
     */
    public HttpProxyBuilder http2(Http2Settings value) {
        http2 = once("http2", http2, Objects.requireNonNull(value, "http2"));
        return this;
    }

    /**
     * How request paths are normalized before routing and forwarding; {@link PathNormalization#defaults()} unless
     * set: dot segments removed, unreserved characters decoded, slashes merged, {@code %2F} and backslashes refused.
     */
    public HttpProxyBuilder pathNormalization(PathNormalization value) {
        pathNormalization = once("pathNormalization", pathNormalization, Objects.requireNonNull(value, "pathNormalization"));
        return this;
    }

    /** Reaches every pool's backends over TLS (re-encryption), unless a pool has its own setting. */
    public HttpProxyBuilder backendTls(ClientTls value) {
        backendTls = once("backendTls", backendTls, Objects.requireNonNull(value, "backendTls"));
        return this;
    }

    /** Reaches the backends of {@code pool} over TLS. */
    public HttpProxyBuilder backendTls(String pool, ClientTls value) {
        if (backendTlsByPool.put(Objects.requireNonNull(pool, "pool"), Objects.requireNonNull(value, "backendTls")) != null) {
            throw new IllegalStateException("backendTls: already set for pool " + pool);
        }
        return this;
    }

    /** Policies for every route; a route's own {@link RouteBuilder#policies} replace them one by one. */
    public HttpProxyBuilder policies(Consumer<Policies.Builder> spec) {
        policies = once("policies", policies, Policies.of(spec));
        return this;
    }

    /** Policies for every route, described elsewhere (a configuration file). */
    public HttpProxyBuilder policies(Policies value) {
        policies = once("policies", policies, Objects.requireNonNull(value, "policies"));
        return this;
    }

    /**
     * Writes one line per request to {@code log} when its exchange ends (see {@link AccessLog} for the format). The
     * caller owns the log and closes it after the proxy.
     */
    public HttpProxyBuilder accessLog(AccessLog log) {
        accessLog = once("accessLog", accessLog, Objects.requireNonNull(log, "accessLog"));
        return this;
    }

    /**
     * Builds the proxy; {@link HttpProxy#start()} binds it.
     *
     * @throws IllegalStateException when a required option is missing or options contradict each other
     * @throws IllegalArgumentException when a route names a pool the load balancer does not define
     */
    public HttpProxy build() {
        if (listen == null) {
            throw new IllegalStateException("listen: not set (expected: an address to listen on)");
        }
        if (loadBalancer == null) {
            throw new IllegalStateException("loadBalancer: not set");
        }
        if (routes.routes.isEmpty()) {
            throw new IllegalStateException("routes: none (expected: routes(..) or pool(..))");
        }
        if (eventLoops != null && (threads != null || bufferSize != null)) {
            throw new IllegalStateException("threads/bufferSize: set on the given eventLoops group, not here");
        }
        int buffer = eventLoops != null ? eventLoops.bufferSize()
                : bufferSize != null ? bufferSize : EventLoopGroup.DEFAULT_BUFFER_SIZE;
        HttpLimits l = limits != null ? limits : HttpLimits.defaults();
        if (l.maxHeadBytes() > buffer) {
            l = l.withMaxHeadBytes(buffer);
        }
        List<Route> compiled = new ArrayList<>();
        Policies defaults = policies != null ? policies : Policies.NONE;
        Map<RateLimit, RateLimiter> limiters = new java.util.IdentityHashMap<>();
        java.util.Set<String> asserted = new java.util.TreeSet<>();
        java.util.Set<String> requestIds = new java.util.TreeSet<>();
        asserted.add(clientCertificateHeaderName().toLowerCase(java.util.Locale.ROOT));
        collectAsserted(defaults, asserted, requestIds);
        for (RouteBuilder r : routes.routes) {
            Policies merged = r.policies != null ? r.policies.over(defaults) : defaults;
            collectAsserted(merged, asserted, requestIds);
            RoutePolicy policy = new RoutePolicy(merged, merged.rateLimit == null ? null
                    : limiters.computeIfAbsent(merged.rateLimit, RateLimiter::new), merged.authFailureLimit == null
                    ? null : limiters.computeIfAbsent(merged.authFailureLimit, RateLimiter::new));
            if (r.handler != null) {
                compiled.add(new Route(r.describe(), r.conditions, new Pool[0], new int[0], null, r.handler,
                        r.maxBodyBytes, policy));
                continue;
            }
            Pool[] pools = new Pool[r.targets.size()];
            int[] weights = new int[pools.length];
            int i = 0;
            for (Map.Entry<String, Integer> t : r.targets.entrySet()) {
                try {
                    pools[i] = loadBalancer.pool(t.getKey());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("route '" + r.describe() + "': " + e.getMessage());
                }
                weights[i++] = t.getValue();
            }
            compiled.add(new Route(r.describe(), r.conditions, pools, weights, r.stripPrefix, null, 0, policy));
        }
        for (String pool : backendTlsByPool.keySet()) {
            loadBalancer.pool(pool); // a typo in a pool name fails here
        }
        return new HttpProxy(this, new Router(compiled), new RoutePolicy(defaults, null, null), buffer, l,
                lowerCaseNames(asserted), lowerCaseNames(requestIds));
    }

    /** The names of the fields {@code p} asserts (identity), and of its request-id field. */
    private static void collectAsserted(Policies p, java.util.Set<String> asserted, java.util.Set<String> requestIds) {
        if (p.authentication != null) {
            p.authentication.assertedHeaders().forEach(n -> asserted.add(HeaderRules.checkName(n).toLowerCase(java.util.Locale.ROOT)));
        }
        if (p.requestIdHeader != null) {
            requestIds.add(p.requestIdHeader.toLowerCase(java.util.Locale.ROOT));
        }
    }

    private static byte[][] lowerCaseNames(java.util.Set<String> names) {
        return names.stream().map(n -> n.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).toArray(byte[][]::new);
    }

    // ---- the settings with their defaults, read by HttpProxy ----

    InetSocketAddress listenAddress() {
        return listen;
    }

    EventLoopGroup eventLoops() {
        return eventLoops;
    }

    int threads() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }

    HttpTimeouts timeouts() {
        return timeouts != null ? timeouts : HttpTimeouts.defaults();
    }

    ForwardedHeaders forwarded() {
        return forwarded != null ? forwarded : ForwardedHeaders.defaults();
    }

    boolean acceptsProxyProtocol() {
        return acceptProxyProtocol != null && acceptProxyProtocol;
    }

    int connectAttempts() {
        return connectAttempts != null ? connectAttempts : 3;
    }

    int maxIdlePerBackend() {
        return maxIdlePerBackend != null ? maxIdlePerBackend : 1024;
    }

    int maxConnections() {
        return maxConnections != null ? maxConnections : io.jlb.nio.internal.ConnectionLimits.defaultMaxConnections();
    }

    io.jlb.nio.Cidrs trustedProxies() {
        return trustedProxies != null ? trustedProxies : io.jlb.nio.Cidrs.NONE;
    }

    /** How backends are reached (tests put in-memory peers here). */
    HttpProxyBuilder connector(io.jlb.nio.internal.Connector value) {
        connector = once("connector", connector, Objects.requireNonNull(value, "connector"));
        return this;
    }

    /**
     * Where slow request checks run (a password hash, a key lookup): off the event loops, which go on serving
     * meanwhile. Unless set, a shared pool of half as many threads as processors, its queue bounded (a check that
     * does not fit is answered 503).
     */
    public HttpProxyBuilder checkExecutor(java.util.concurrent.Executor value) {
        checks = once("checkExecutor", checks, Objects.requireNonNull(value, "checkExecutor"));
        return this;
    }

    /**
     * Where the CPU-heavy tasks of TLS handshakes run, off the event loops. Unless set, a shared pool of one thread
     * per processor, its queue bounded.
     */
    public HttpProxyBuilder handshakeExecutor(java.util.concurrent.Executor value) {
        handshakes = once("handshakeExecutor", handshakes, Objects.requireNonNull(value, "handshakeExecutor"));
        return this;
    }

    io.jlb.nio.internal.Connector connector() {
        return connector;
    }

    java.util.concurrent.Executor checks() {
        return checks != null ? checks : io.jlb.nio.internal.OffLoop.checks();
    }

    java.util.concurrent.Executor handshakes() {
        return handshakes != null ? handshakes : io.jlb.nio.internal.OffLoop.handshakes();
    }

    Http2Settings http2() {
        return http2 != null ? http2 : Http2Settings.defaults();
    }

    PathNormalization pathNormalization() {
        return pathNormalization != null ? pathNormalization : PathNormalization.defaults();
    }

    Duration tunnelIdleTimeout() {
        return tunnelIdleTimeout != null ? tunnelIdleTimeout : Duration.ofHours(1);
    }

    Duration drainTimeout() {
        return drainTimeout != null ? drainTimeout : Duration.ofSeconds(30);
    }

    int backlog() {
        return backlog != null ? backlog : 1024;
    }

    String name() {
        return name != null ? name : "http";
    }

    AccessLog accessLog() {
        return accessLog;
    }

    ServerTls tls() {
        return tls;
    }

    /** The header carrying a verified client certificate's subject, when the listener asks for certificates. */
    String clientCertificateHeader() {
        if (tls == null || tls.clientAuth() == ServerTls.ClientAuth.NONE) {
            return null;
        }
        return clientCertificateHeaderName();
    }

    /** The name of the client certificate header, removed from every request whether the listener uses mTLS or not. */
    private String clientCertificateHeaderName() {
        return clientCertificateHeader != null ? clientCertificateHeader : "X-Client-Cert-Subject";
    }

    ClientTls backendTls() {
        return backendTls;
    }

    Map<String, ClientTls> backendTlsByPool() {
        return Map.copyOf(backendTlsByPool);
    }

    private static <T> T once(String option, T current, T value) {
        if (current != null) {
            throw new IllegalStateException(option + ": already set to " + current);
        }
        return value;
    }
}
