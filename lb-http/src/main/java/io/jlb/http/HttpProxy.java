package io.jlb.http;

import io.jlb.core.Pool;
import io.jlb.http.internal.HeadWriter;
import io.jlb.nio.AccessLog;
import io.jlb.nio.EventLoopGroup;
import io.jlb.nio.ServerTls;
import io.jlb.nio.internal.EventLoop;
import io.jlb.nio.internal.ServerRuntime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An L7 HTTP/1.1 reverse proxy: terminates client connections, routes each request by host, path, method,
 * headers or query to a pool of a {@link io.jlb.core.LoadBalancer} (with weighted splits for canaries), and
 * forwards it over a pooled keep-alive connection to the picked backend. Bodies stream in both directions with
 * backpressure; hop-by-hop headers are removed and X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Host,
 * Forwarded and Via are added (each configurable); WebSocket upgrades become byte tunnels. Errors are answered
 * precisely: 400/413/414/431/501/505 for bad requests, 404 when no route matches, 502 when a backend fails,
 * 503 when no backend is eligible, 504 when a backend does not answer in time.
 *
 * <p>Runs on lb-nio's event loops: a client connection and its backend connections share one loop. Thread-safe.
 *
 * <pre>{@code
 * HttpProxy proxy = HttpProxy.builder()
 *         .listen(new InetSocketAddress("127.0.0.1", 8080))
 *         .loadBalancer(lb)
 *         .routes(r -> r.host("api.example.com").pathPrefix("/api/v1/").to("api-v1")
 *                 .header("X-Canary", "true").to("canary")
 *                 .defaultTo("stable"))
 *         .build()
 *         .start();
 * }</pre>
 */
public final class HttpProxy implements AutoCloseable {
    final String name;
    final Router router;
    /** The listener's policies, for what the proxy answers before a route is known (400, 404, 408). */
    final RoutePolicy listenerPolicy;
    final HttpLimits limits;
    final int maxResponseHeadBytes;
    final HeadWriter.Options forwarding;
    final boolean acceptProxyProtocol;
    final String scheme;
    final ServerTls tls;
    /** The header carrying a verified client certificate's subject (mTLS), or null. */
    final String clientCertHeader;
    /** Lower-case names of the fields the listener asserts: removed from every request, whoever sent them. */
    final byte[][] assertedHeaders;
    /** Lower-case names of the listener's request-id fields: kept only from trusted proxies. */
    final byte[][] requestIdHeaders;
    /** The proxies whose forwarding headers are believed. */
    final io.jlb.nio.Cidrs trustedProxies;
    final PathNormalization pathNormalization;
    private final long keepAliveUnderLoadNanos;
    /** Per loop, the timer that closes idle connections while the listener is near its connection limit. */
    private final Map<EventLoop, io.jlb.nio.internal.Timer> idleSweepers = new ConcurrentHashMap<>();
    private final io.jlb.nio.ClientTls backendTls;
    private final Map<String, io.jlb.nio.ClientTls> backendTlsByPool;
    final long headerTimeoutNanos;
    final long clientIdleNanos;
    final long connectTimeoutNanos;
    final long responseTimeoutNanos;
    final long tunnelIdleNanos;
    final int connectAttempts;
    final HttpStats stats;
    final AccessLog accessLog;
    private final int maxIdlePerBackend;
    private final long backendIdleNanos;
    private final int maxConnections;
    private final Duration drainTimeout;
    private final InetSocketAddress listen;
    private final int backlog;
    private final ServerRuntime<ClientConnection> runtime;
    private final Map<EventLoop, BackendConnections> backends = new ConcurrentHashMap<>();
    private final Map<Pool, Waiters> waiters = new ConcurrentHashMap<>();
    final AtomicInteger retriesInFlight = new AtomicInteger();

    HttpProxy(HttpProxyBuilder b, Router router, RoutePolicy listenerPolicy, int bufferSize, HttpLimits limits,
            byte[][] assertedHeaders, byte[][] requestIdHeaders) {
        this.assertedHeaders = assertedHeaders;
        this.requestIdHeaders = requestIdHeaders;
        this.trustedProxies = b.trustedProxies();
        this.pathNormalization = b.pathNormalization();
        this.listen = b.listenAddress();
        this.router = router;
        this.listenerPolicy = listenerPolicy;
        this.limits = limits;
        this.maxResponseHeadBytes = Math.min(64 * 1024, bufferSize);
        ForwardedHeaders forwarded = b.forwarded();
        this.forwarding = HeadWriter.Options.of(forwarded.xForwardedFor(), forwarded.xForwardedProto(),
                forwarded.xForwardedHost(), forwarded.forwarded(), forwarded.via(), forwarded.viaPseudonym(),
                forwarded.xRealIp());
        this.acceptProxyProtocol = b.acceptsProxyProtocol();
        HttpTimeouts timeouts = b.timeouts();
        this.headerTimeoutNanos = timeouts.header().toNanos();
        this.clientIdleNanos = timeouts.clientIdle().toNanos();
        this.connectTimeoutNanos = timeouts.connect().toNanos();
        this.responseTimeoutNanos = timeouts.response().toNanos();
        this.backendIdleNanos = timeouts.backendIdle().toNanos();
        this.keepAliveUnderLoadNanos = Math.min(timeouts.keepAliveUnderLoad().toNanos(), clientIdleNanos);
        this.tunnelIdleNanos = b.tunnelIdleTimeout().toNanos();
        this.connectAttempts = b.connectAttempts();
        this.maxIdlePerBackend = b.maxIdlePerBackend();
        this.maxConnections = b.maxConnections();
        this.drainTimeout = b.drainTimeout();
        this.backlog = b.backlog();
        this.name = b.name();
        this.accessLog = b.accessLog();
        this.tls = b.tls();
        this.scheme = tls != null ? "https" : "http";
        this.backendTls = b.backendTls();
        this.backendTlsByPool = b.backendTlsByPool();
        this.clientCertHeader = b.clientCertificateHeader();
        this.runtime = new ServerRuntime<>(name, b.eventLoops() == null ? null : io.jlb.nio.internal.Loops.of(b.eventLoops()),
                b.threads(), bufferSize);
        this.stats = new HttpStats(runtime);
    }

    /** How to reach the backends of {@code pool}: TLS settings, or null for plain TCP. */
    io.jlb.nio.ClientTls backendTls(Pool pool) {
        io.jlb.nio.ClientTls byPool = backendTlsByPool.get(pool.name());
        return byPool != null ? byPool : backendTls;
    }

    /** The listener's TLS, or null. */
    public ServerTls tls() {
        return tls;
    }

    /** The queue of requests waiting for a backend of {@code pool} (circuit breaking). */
    Waiters waiters(Pool pool) {
        return waiters.computeIfAbsent(pool, p -> new Waiters());
    }

    /** A request of {@code pool} ended: the longest-waiting one, if any, tries again on its own loop. */
    void capacityFreed(Pool pool) {
        Waiters w = waiters.get(pool);
        ClientConnection next = w == null ? null : w.poll();
        if (next != null) {
            next.loop().execute(next::capacityFreed);
        }
    }

    /** Takes one retry from the budget: retries in flight stay under a share of requests in flight. */
    boolean takeRetryBudget(Retries retries) {
        long active = stats.activeRequests.sum();
        long allowed = Math.max(retries.minConcurrent(), active * retries.budgetPercent() / 100);
        while (true) {
            int n = retriesInFlight.get();
            if (n >= allowed) {
                return false;
            }
            if (retriesInFlight.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** A builder for an HTTP proxy. */
    public static HttpProxyBuilder builder() {
        return new HttpProxyBuilder();
    }

    /**
     * Binds and starts accepting; returns once bound.
     *
     * @return this
     * @throws java.io.UncheckedIOException naming the address when it cannot be bound
     */
    public HttpProxy start() {
        runtime.start(listen, backlog, maxConnections, this::accepted);
        return this;
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return runtime.address();
    }

    /** Live counters. */
    public HttpStats stats() {
        return stats;
    }

    /** The routes, in order, as text ({@code host=api.example.com path-prefix=/v1/ -> api}). */
    public List<String> routes() {
        return router.routes().stream().map(Route::toString).toList();
    }

    /** The name used in logs. */
    public String name() {
        return name;
    }

    /**
     * Stops accepting, lets exchanges in progress finish for up to the drain timeout (a connection closes after
     * its current response), cuts the rest, closes pooled backend connections, stops loops it started.
     */
    @Override
    public void close() {
        runtime.close(drainTimeout, loop -> {
            BackendConnections b = backends.remove(loop);
            if (b != null) {
                b.closeAll();
            }
        });
    }

    boolean draining() {
        return runtime.draining();
    }

    /**
     * How long a client connection may wait idle for its next request: the client idle timeout, or the shorter
     * keep-alive-under-load timeout while more than 80 % of the connection limit is in use.
     */
    long keepAliveIdleNanos() {
        return underLoad() ? keepAliveUnderLoadNanos : clientIdleNanos;
    }

    /** Whether more than 80 % of the connection limit is in use. */
    private boolean underLoad() {
        return maxConnections > 0 && runtime.active() * 5L > maxConnections * 4L;
    }

    /**
     * Near the connection limit, closes {@code loop}'s connections that have waited for a request longer than the
     * keep-alive-under-load timeout, and looks again twice per that timeout until the pressure is gone: a slot held
     * by an idle client is given to one that is waiting in the backlog.
     */
    private void sweepIdle(EventLoop loop) {
        io.jlb.nio.internal.Timer timer = idleSweepers.computeIfAbsent(loop, l -> l.timer(() -> sweepIdle(l)));
        if (!underLoad()) {
            return;
        }
        long cutoff = loop.now() - keepAliveUnderLoadNanos;
        runtime.forEachOpen(loop, c -> c.closeIfIdleSince(cutoff));
        if (!timer.scheduled()) {
            timer.scheduleAt(loop.now() + Math.max(1, keepAliveUnderLoadNanos / 2));
        }
    }

    /** The most client connections open at once; 0 for no limit. */
    public int maxConnections() {
        return maxConnections;
    }

    BackendConnections backends(EventLoop loop) {
        return backends.computeIfAbsent(loop, l -> new BackendConnections(l, maxIdlePerBackend, backendIdleNanos));
    }

    private void accepted(EventLoop loop, SocketChannel channel) {
        ClientConnection c = new ClientConnection(this, loop, channel);
        if (!runtime.opened(loop, c)) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing
            }
            return;
        }
        try {
            c.start();
        } catch (IOException | RuntimeException e) {
            c.failed(e);
        }
        if (underLoad()) {
            io.jlb.nio.internal.Timer sweeper = idleSweepers.get(loop);
            if (sweeper == null || !sweeper.scheduled()) {
                sweepIdle(loop);
            }
        }
    }

    void connectionClosed(EventLoop loop, ClientConnection connection) {
        runtime.closed(loop, connection);
    }
}
