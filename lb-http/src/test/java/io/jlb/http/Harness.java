package io.jlb.http;

import io.jlb.core.LoadBalancer;
import io.jlb.core.LoadBalancerBuilder;
import io.jlb.core.testing.ManualClock;
import io.jlb.nio.internal.Connector;
import io.jlb.nio.internal.EventLoop;
import io.jlb.nio.internal.Loops;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.function.Consumer;

/**
 * Drives the HTTP/1.1 codecs and the exchange without sockets or sleeps: one event loop on a clock moved by hand,
 * clients and backends as {@link FakeTransport}s the test speaks for, slow checks run when the test says. Every
 * action runs on the loop; {@link #settle()} lets the loop run what the action set off.
 */
final class Harness implements AutoCloseable {
    final ManualClock clock = new ManualClock();
    final Loops loops = Loops.start("harness", 1, 64 * 1024, () -> clock.read());
    final EventLoop loop = loops.loop(0);
    /** Connections the proxy opened to each backend address ("host:port"), oldest first. */
    private final Map<String, LinkedBlockingDeque<FakeTransport>> opened = new ConcurrentHashMap<>();
    /** Addresses whose connections stay pending until the test accepts or refuses them. */
    private final Map<String, Boolean> slowConnect = new ConcurrentHashMap<>();
    final ArrayDeque<Runnable> checks = new ArrayDeque<>();
    final LoadBalancer lb;
    final HttpProxy proxy;
    final ListenerContext ctx;

    Harness(Consumer<LoadBalancerBuilder> pools, Consumer<HttpProxyBuilder> settings) {
        LoadBalancerBuilder lbb = LoadBalancer.builder().ticker(clock).scheduler(clock);
        pools.accept(lbb);
        lb = lbb.build();
        Connector connector = (l, address, handler) -> {
            String key = address.getHostString() + ":" + address.getPort();
            FakeTransport t = new FakeTransport(l, slowConnect.containsKey(key));
            t.register(l, handler);
            opened.computeIfAbsent(key, k -> new LinkedBlockingDeque<>()).add(t);
            return t;
        };
        Executor byHand = task -> {
            synchronized (checks) {
                checks.add(task);
            }
        };
        HttpProxyBuilder b = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).connector(connector).checkExecutor(byHand);
        settings.accept(b);
        proxy = b.build();
        ctx = proxy.context();
    }

    /** Connections to {@code backend} stay pending until accepted or refused by the test. */
    void slowConnect(String backend) {
        slowConnect.put(backend, true);
    }

    /** A new client connection; the proxy serves it on its loop. */
    FakeTransport client() {
        FakeTransport t = new FakeTransport(loop, false);
        onLoop(() -> {
            Http1Connection c = new Http1Connection(ctx, loop, t);
            try {
                c.start(new InetSocketAddress("192.0.2.10", 40000), new InetSocketAddress("127.0.0.1", 8080));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        settle();
        return t;
    }

    /** The next connection the proxy opened to {@code backend} ("host:port"); fails when there is none. */
    FakeTransport upstream(String backend) {
        settle();
        LinkedBlockingDeque<FakeTransport> q = opened.get(backend);
        FakeTransport t = q == null ? null : q.poll();
        if (t == null) {
            throw new AssertionError("no new connection to " + backend);
        }
        return t;
    }

    /** How many connections were opened to {@code backend} and not yet taken by {@link #upstream}. */
    int pendingUpstreams(String backend) {
        settle();
        LinkedBlockingDeque<FakeTransport> q = opened.get(backend);
        return q == null ? 0 : q.size();
    }

    /** Runs the slow checks handed off the loop so far. */
    void runChecks() {
        while (true) {
            Runnable r;
            synchronized (checks) {
                r = checks.poll();
            }
            if (r == null) {
                break;
            }
            r.run();
        }
        settle();
    }

    /**
     * Moves the clock and lets the loop fire what is due. What the peers did before happened at the time before: the
     * loop handles it first, or it could read the moved clock.
     */
    void advance(Duration d) {
        settle();
        clock.advance(d);
        settle();
    }

    void onLoop(Runnable action) {
        loop.submit(() -> {
            action.run();
            return null;
        }).join();
    }

    /**
     * Lets the loop run the timers due by the clock and the tasks (readiness events, pipelined requests) that earlier
     * steps set off. A task submitted during a turn may run in that same turn, on the clock read when it began: so a
     * probe timer due at the clock's time, which fires only on a turn that has read it, says when the due timers ran.
     */
    void settle() {
        long target = clock.read();
        java.util.concurrent.CompletableFuture<Void> due = new java.util.concurrent.CompletableFuture<>();
        onLoop(() -> loop.timer(() -> due.complete(null)).scheduleAt(target));
        due.join();
        for (int i = 0; i < 12; i++) {
            loop.submit(() -> null).join();
        }
    }

    @Override
    public void close() {
        loops.close();
        lb.close();
    }

    static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}
