package io.jlb.nio;

import io.jlb.core.LoadBalancer;
import io.jlb.core.Pool;
import io.jlb.nio.internal.EventLoop;
import io.jlb.nio.internal.ServerRuntime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An L4 TCP proxy (NAT mode): accepts connections, picks a backend for each from a pool of a
 * {@link LoadBalancer} (IP-hash selectors key on the client's address), connects, and relays bytes both ways
 * exactly, with backpressure and half-close, until both sides are done.
 *
 * <p>Optionally it sends the client's address to backends with the PROXY protocol, requires the PROXY protocol
 * from a balancer in front, and routes TLS connections by the server name of their ClientHello without terminating
 * TLS. A connection and its backend connection live on one event loop. Thread-safe.
 *
 * <pre>{@code
 * TcpProxy proxy = TcpProxy.builder()
 *         .listen(new InetSocketAddress("127.0.0.1", 6380))
 *         .loadBalancer(lb)
 *         .pool("redis")
 *         .build()
 *         .start();
 * System.out.println("listening on " + proxy.address());
 * proxy.close(); // stops accepting, lets open connections finish (up to the drain timeout)
 * }</pre>
 */
public final class TcpProxy implements Listener, AutoCloseable {
    final String name;
    final ProxyStats stats = new ProxyStats("connection");
    final Pool defaultPool;
    final List<SniRoute> sniRoutes;
    private final List<Pool> sniPools = new ArrayList<>();
    final boolean acceptProxyProtocol;
    final ProxyProtocol sendProxyProtocol;
    final AccessLog accessLog;
    final ServerTls tls;
    final java.util.concurrent.Executor handshakes;
    final long connectTimeoutNanos;
    final long idleTimeoutNanos;
    final long inspectTimeoutNanos;
    final int connectAttempts;
    final int maxConnectionsPerBackend;
    private final int maxConnections;
    private final Duration drainTimeout;
    private final InetSocketAddress listen;
    private final int backlog;
    private final ServerRuntime<TcpSession> runtime;

    TcpProxy(TcpProxyBuilder b) {
        LoadBalancer lb = b.loadBalancer();
        this.name = b.name();
        this.defaultPool = b.poolName() == null ? null : lb.pool(b.poolName());
        this.sniRoutes = b.sniRoutes();
        for (SniRoute r : sniRoutes) {
            sniPools.add(lb.pool(r.pool()));
        }
        this.acceptProxyProtocol = b.acceptProxyProtocol();
        this.sendProxyProtocol = b.sendProxyProtocol();
        this.accessLog = b.accessLog();
        this.tls = b.tls();
        this.handshakes = b.handshakes();
        this.connectTimeoutNanos = b.connectTimeout().toNanos();
        this.idleTimeoutNanos = b.idleTimeout().toNanos();
        this.inspectTimeoutNanos = b.inspectTimeout().toNanos();
        this.connectAttempts = b.connectAttempts();
        this.maxConnectionsPerBackend = b.maxConnectionsPerBackend();
        this.maxConnections = b.maxConnections();
        this.drainTimeout = b.drainTimeout();
        this.listen = b.listenAddress();
        this.backlog = b.backlog();
        this.runtime = new ServerRuntime<>(name, b.eventLoops() == null ? null : b.eventLoops().loops(), b.threads(),
                b.bufferSize());
        stats.runtime = runtime;
    }

    /** A builder for a TCP proxy. */
    public static TcpProxyBuilder builder() {
        return new TcpProxyBuilder();
    }

    /**
     * Binds the listening address and starts accepting. Returns once bound.
     *
     * @return this
     * @throws java.io.UncheckedIOException naming the address when it cannot be bound
     * @throws IllegalStateException when already started or closed
     */
    public TcpProxy start() {
        runtime.start(listen, backlog, maxConnections, this::accepted);
        return this;
    }

    /** The bound address; with port 0 asked for, the port actually bound. */
    @Override
    public InetSocketAddress address() {
        return runtime.address();
    }

    /** Live counters of this listener. */
    @Override
    public ProxyStats stats() {
        return stats;
    }

    /** The listener's TLS, or null when it relays TCP as it is. */
    @Override
    public ServerTls tls() {
        return tls;
    }

    /** The name used in logs. */
    @Override
    public String name() {
        return name;
    }

    /** {@code tcp}. */
    @Override
    public String protocol() {
        return "tcp";
    }

    Pool poolFor(String serverName) {
        for (int i = 0; i < sniRoutes.size(); i++) {
            if (sniRoutes.get(i).matches(serverName)) {
                return sniPools.get(i);
            }
        }
        return defaultPool;
    }

    private void accepted(EventLoop loop, SocketChannel channel) {
        TcpSession session = new TcpSession(this, loop, channel);
        if (!runtime.opened(loop, session)) {
            stats.rejected.increment();
            closeQuietly(channel);
            return;
        }
        try {
            session.start();
        } catch (IOException | RuntimeException e) {
            session.failed(e);
        }
    }

    void sessionClosed(EventLoop loop, TcpSession session) {
        runtime.closed(loop, session);
    }

    /**
     * Stops accepting, lets open connections finish for up to the drain timeout, then cuts the rest; stops the
     * loops it started. Idempotent.
     */
    @Override
    public void close() {
        runtime.close(drainTimeout);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing more to do
        }
    }
}
