package io.jlb.http;

import io.jlb.nio.Listener;
import io.jlb.nio.ServerTls;
import io.jlb.nio.internal.EventLoop;
import io.jlb.nio.internal.Loops;
import io.jlb.nio.internal.ServerRuntime;
import io.jlb.nio.internal.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;

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
public final class HttpProxy implements Listener, AutoCloseable {
    private final ListenerContext ctx;
    private final ServerRuntime<Http1Connection> runtime;
    private final int maxConnections;
    private final Duration drainTimeout;
    private final InetSocketAddress listen;
    private final int backlog;

    HttpProxy(HttpProxyBuilder b, Router router, RoutePolicy listenerPolicy, int bufferSize, HttpLimits limits,
            byte[][] assertedHeaders, byte[][] requestIdHeaders) {
        this.listen = b.listenAddress();
        this.maxConnections = b.maxConnections();
        this.drainTimeout = b.drainTimeout();
        this.backlog = b.backlog();
        this.runtime = new ServerRuntime<>(b.name(), b.eventLoops() == null ? null : Loops.of(b.eventLoops()),
                b.threads(), bufferSize);
        this.ctx = new ListenerContext(b, router, listenerPolicy, bufferSize, limits, assertedHeaders, requestIdHeaders,
                runtime);
    }

    /** The listener's TLS, or null. */
    @Override
    public ServerTls tls() {
        return ctx.tls;
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
    @Override
    public InetSocketAddress address() {
        return runtime.address();
    }

    /** Live counters. */
    @Override
    public HttpStats stats() {
        return ctx.stats;
    }

    /** The routes, in order, as text ({@code host=api.example.com path-prefix=/v1/ -> api}). */
    public List<String> routes() {
        return ctx.router.routes().stream().map(Route::toString).toList();
    }

    /** The name used in logs. */
    @Override
    public String name() {
        return ctx.name;
    }

    /** {@code http} (with or without TLS). */
    @Override
    public String protocol() {
        return "http";
    }

    /** The most client connections open at once; 0 for no limit. */
    public int maxConnections() {
        return maxConnections;
    }

    /**
     * Stops accepting, lets exchanges in progress finish for up to the drain timeout (a connection closes after
     * its current response), cuts the rest, closes pooled backend connections, stops loops it started.
     */
    @Override
    public void close() {
        runtime.close(drainTimeout, ctx::closeUpstreams);
    }

    /** What the listener's connections share (tests drive connections on it directly). */
    ListenerContext context() {
        return ctx;
    }

    /** Whether a graceful close is under way. */
    boolean draining() {
        return ctx.draining();
    }

    private void accepted(EventLoop loop, SocketChannel channel) {
        Http1Connection c = new Http1Connection(ctx, loop, Transport.plain(channel));
        if (!runtime.opened(loop, c)) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing
            }
            return;
        }
        try {
            c.start((InetSocketAddress) channel.getRemoteAddress(), (InetSocketAddress) channel.getLocalAddress());
        } catch (IOException | RuntimeException e) {
            c.failed(e);
        }
        if (ctx.underLoad()) {
            ctx.sweepIdle(loop);
        }
    }
}
