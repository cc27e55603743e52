package io.jlb.http;

import io.jlb.core.Pool;
import io.jlb.http.internal.HeadWriter;
import io.jlb.nio.AccessLog;
import io.jlb.nio.Cidrs;
import io.jlb.nio.ClientTls;
import io.jlb.nio.ServerTls;
import io.jlb.nio.internal.Connector;
import io.jlb.nio.internal.EventLoop;
import io.jlb.nio.internal.ServerRuntime;
import io.jlb.nio.internal.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the connections and exchanges of one HTTP listener share, and all they see of it: settings, the routes and
 * policies, counters and the access log, the pooled backend connections of each loop, the breaker queues, the
 * retry budget, and the services they use (how backends are reached, where slow checks run). Thread-safe.
 */
final class ListenerContext {
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
    final Cidrs trustedProxies;
    final PathNormalization pathNormalization;
    final Http2Settings http2;
    final long headerTimeoutNanos;
    final long clientIdleNanos;
    final long connectTimeoutNanos;
    final long responseTimeoutNanos;
    final long tunnelIdleNanos;
    final long backendIdleNanos;
    final int connectAttempts;
    final int maxIdlePerBackend;
    final HttpStats stats;
    final AccessLog accessLog;
    final Connector connector;
    final Executor checks;
    final Executor handshakes;
    private final long keepAliveUnderLoadNanos;
    private final int maxConnections;
    private final ClientTls backendTls;
    private final Map<String, ClientTls> backendTlsByPool;
    private final ServerRuntime<Http1Connection> runtime;
    private final Map<EventLoop, UpstreamPool> upstreams = new ConcurrentHashMap<>();
    private final Map<Pool, Waiters> waiters = new ConcurrentHashMap<>();
    private final Map<EventLoop, Timer> idleSweepers = new ConcurrentHashMap<>();
    private final AtomicInteger retriesInFlight = new AtomicInteger();

    ListenerContext(HttpProxyBuilder b, Router router, RoutePolicy listenerPolicy, int bufferSize, HttpLimits limits,
            byte[][] assertedHeaders, byte[][] requestIdHeaders, ServerRuntime<Http1Connection> runtime) {
        this.name = b.name();
        this.router = router;
        this.listenerPolicy = listenerPolicy;
        this.limits = limits;
        this.maxResponseHeadBytes = Math.min(64 * 1024, bufferSize);
        ForwardedHeaders forwarded = b.forwarded();
        this.forwarding = HeadWriter.Options.of(forwarded.xForwardedFor(), forwarded.xForwardedProto(),
                forwarded.xForwardedHost(), forwarded.forwarded(), forwarded.via(), forwarded.viaPseudonym(),
                forwarded.xRealIp());
        this.acceptProxyProtocol = b.acceptsProxyProtocol();
        this.tls = b.tls();
        this.scheme = tls != null ? "https" : "http";
        this.clientCertHeader = b.clientCertificateHeader();
        this.assertedHeaders = assertedHeaders;
        this.requestIdHeaders = requestIdHeaders;
        this.trustedProxies = b.trustedProxies();
        this.pathNormalization = b.pathNormalization();
        this.http2 = b.http2();
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
        this.accessLog = b.accessLog();
        this.backendTls = b.backendTls();
        this.backendTlsByPool = b.backendTlsByPool();
        this.connector = b.connector() != null ? b.connector() : Connector.TCP;
        this.checks = b.checks();
        this.handshakes = b.handshakes();
        this.runtime = runtime;
        this.stats = new HttpStats(runtime);
    }

    /** How to reach the backends of {@code pool}: TLS settings, or null for plain TCP. */
    ClientTls backendTls(Pool pool) {
        ClientTls byPool = backendTlsByPool.get(pool.name());
        return byPool != null ? byPool : backendTls;
    }

    /** The idle keep-alive connections to backends of {@code loop}. */
    UpstreamPool upstreams(EventLoop loop) {
        UpstreamPool pool = upstreams.get(loop); // per request: no capturing lambda unless the loop has none yet
        return pool != null ? pool : upstreams.computeIfAbsent(loop, l -> new UpstreamPool(maxIdlePerBackend));
    }

    /** Closes the idle backend connections of {@code loop} (on close). */
    void closeUpstreams(EventLoop loop) {
        UpstreamPool p = upstreams.remove(loop);
        if (p != null) {
            p.closeAll();
        }
    }

    /** The queue of requests waiting for a backend of {@code pool} (circuit breaking). */
    Waiters waiters(Pool pool) {
        return waiters.computeIfAbsent(pool, p -> new Waiters());
    }

    /** A request of {@code pool} ended: the longest-waiting one, if any, tries again on its own loop. */
    void capacityFreed(Pool pool) {
        Waiters w = waiters.get(pool);
        Exchange next = w == null ? null : w.poll();
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

    /** Gives back a retry taken from the budget. */
    void returnRetryBudget() {
        retriesInFlight.decrementAndGet();
    }

    /** Whether the listener is closing gracefully. */
    boolean draining() {
        return runtime.draining();
    }

    /** A client connection closed. */
    void connectionClosed(EventLoop loop, Http1Connection connection) {
        runtime.closed(loop, connection);
    }

    /**
     * How long a client connection may wait idle for its next request: the client idle timeout, or the shorter
     * keep-alive-under-load timeout while more than 80 % of the connection limit is in use.
     */
    long keepAliveIdleNanos() {
        return underLoad() ? keepAliveUnderLoadNanos : clientIdleNanos;
    }

    /** Whether more than 80 % of the connection limit is in use. */
    boolean underLoad() {
        return maxConnections > 0 && runtime.active() * 5L > maxConnections * 4L;
    }

    /**
     * Near the connection limit, closes {@code loop}'s connections that have waited for a request longer than the
     * keep-alive-under-load timeout, and looks again twice per that timeout until the pressure is gone: a slot held
     * by an idle client is given to one waiting in the backlog. Loop thread only.
     */
    void sweepIdle(EventLoop loop) {
        Timer timer = idleSweepers.computeIfAbsent(loop, l -> l.timer(() -> sweepIdle(l)));
        if (!underLoad() || timer.scheduled()) {
            return;
        }
        long cutoff = loop.now() - keepAliveUnderLoadNanos;
        runtime.forEachOpen(loop, c -> c.closeIfIdleSince(cutoff));
        timer.scheduleAt(loop.now() + Math.max(1, keepAliveUnderLoadNanos / 2));
    }
}
