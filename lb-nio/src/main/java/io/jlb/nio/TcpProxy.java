package io.jlb.nio;

import io.jlb.core.LoadBalancer;
import io.jlb.core.Pool;
import io.jlb.nio.internal.Acceptors;
import io.jlb.nio.internal.EventLoop;
import io.jlb.nio.internal.Loops;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
public final class TcpProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpProxy.class);
    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int CLOSED = 2;

    final String name;
    final ProxyStats stats = new ProxyStats();
    final Pool defaultPool;
    final List<SniRoute> sniRoutes;
    private final List<Pool> sniPools = new ArrayList<>();
    final boolean acceptProxyProtocol;
    final ProxyProtocol sendProxyProtocol;
    final long connectTimeoutNanos;
    final long idleTimeoutNanos;
    final long inspectTimeoutNanos;
    final int connectAttempts;
    final int maxConnectionsPerBackend;
    private final int maxConnections;
    private final Duration drainTimeout;
    private final InetSocketAddress listen;
    private final int backlog;
    private final EventLoopGroup givenLoops;
    private final int threads;
    private final int bufferSize;
    private final AtomicInteger state = new AtomicInteger(NEW);
    private final CompletableFuture<Void> idle = new CompletableFuture<>();
    private Loops loops;
    private Map<EventLoop, Set<TcpSession>> sessions;
    private Acceptors acceptors;
    private volatile boolean draining;

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
        this.connectTimeoutNanos = b.connectTimeout().toNanos();
        this.idleTimeoutNanos = b.idleTimeout().toNanos();
        this.inspectTimeoutNanos = b.inspectTimeout().toNanos();
        this.connectAttempts = b.connectAttempts();
        this.maxConnectionsPerBackend = b.maxConnectionsPerBackend();
        this.maxConnections = b.maxConnections();
        this.drainTimeout = b.drainTimeout();
        this.listen = b.listenAddress();
        this.backlog = b.backlog();
        this.givenLoops = b.eventLoops();
        this.threads = b.threads();
        this.bufferSize = b.bufferSize();
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
        if (!state.compareAndSet(NEW, RUNNING)) {
            throw new IllegalStateException(name + ": already started");
        }
        loops = givenLoops != null ? Loops.of(givenLoops) : Loops.start("jlb-" + name, threads, bufferSize);
        sessions = new IdentityHashMap<>();
        for (int i = 0; i < loops.size(); i++) {
            sessions.put(loops.loop(i), new HashSet<>());
        }
        try {
            acceptors = Acceptors.bind(loops, listen, backlog, this::accepted,
                    () -> maxConnections == 0 || stats.active() < maxConnections);
        } catch (RuntimeException e) {
            state.set(CLOSED);
            if (givenLoops == null) {
                loops.close();
            }
            throw e;
        }
        LOG.info("{}: listening on {}", name, address());
        return this;
    }

    /** The bound address; with port 0 asked for, the port actually bound. */
    public InetSocketAddress address() {
        if (acceptors == null) {
            throw new IllegalStateException(name + ": not started");
        }
        return acceptors.address();
    }

    /** Live counters of this listener. */
    public ProxyStats stats() {
        return stats;
    }

    /** The name used in logs. */
    public String name() {
        return name;
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
        if (draining) {
            closeQuietly(channel);
            return;
        }
        int now = stats.active.incrementAndGet();
        stats.accepted.increment();
        if (maxConnections > 0 && now > maxConnections) {
            stats.active.decrementAndGet();
            stats.rejected.increment();
            closeQuietly(channel);
            return;
        }
        TcpSession session = new TcpSession(this, loop, channel);
        sessions.get(loop).add(session);
        try {
            session.start();
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: could not start a session: {}", name, e.toString());
            session.failed(e);
        }
    }

    void sessionClosed(EventLoop loop, TcpSession session) {
        if (sessions.get(loop).remove(session)) {
            int now = stats.active.decrementAndGet();
            if (draining && now == 0) {
                idle.complete(null);
            } else if (maxConnections > 0 && now == maxConnections - 1) {
                acceptors.resume();
            }
        }
    }

    /**
     * Stops accepting, lets open connections finish for up to the drain timeout, then cuts the rest; stops the
     * loops it started. Idempotent.
     */
    @Override
    public void close() {
        if (state.getAndSet(CLOSED) != RUNNING) {
            return;
        }
        acceptors.close().join();
        draining = true;
        if (stats.active() == 0) {
            idle.complete(null);
        }
        try {
            idle.get(drainTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            LOG.info("{}: {} connection(s) still open after the {} drain; closing them", name, stats.active(), drainTimeout);
        } catch (Exception e) {
            Thread.currentThread().interrupt();
        }
        List<CompletableFuture<Void>> cuts = new ArrayList<>();
        for (Map.Entry<EventLoop, Set<TcpSession>> e : sessions.entrySet()) {
            cuts.add(e.getKey().submit(() -> {
                new ArrayList<>(e.getValue()).forEach(TcpSession::abort);
                return null;
            }));
        }
        CompletableFuture.allOf(cuts.toArray(new CompletableFuture<?>[0])).join();
        if (givenLoops == null) {
            loops.close();
        }
        LOG.info("{}: closed", name);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing more to do
        }
    }
}
