package io.jlb.nio.internal;

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
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every listening proxy shares: its loops (its own, or a shared group it does not close), its acceptors
 * (paused at the connection limit), the open connections of each loop (touched only by that loop), and a graceful
 * close: stop accepting, let connections finish until a drain deadline, cut the rest, stop its own loops.
 *
 * @param <C> the proxy's connection type
 */
public final class ServerRuntime<C extends ServerRuntime.Connection> {
    private static final Logger LOG = LoggerFactory.getLogger(ServerRuntime.class);

    /** A connection the runtime can wind down on close. */
    public interface Connection {
        /** A graceful close began: finish what is in flight, close at once if nothing is. Called on its loop. */
        default void drain() {
        }

        /** Closes the connection now (the drain deadline passed). Called on its loop. */
        void abort();
    }

    /** Makes and starts a connection for an accepted channel, on its loop; registers it with {@link #opened}. */
    @FunctionalInterface
    public interface Factory {
        void accepted(EventLoop loop, SocketChannel channel);
    }

    private final String name;
    private final Loops givenLoops;
    private final int threads;
    private final int bufferSize;
    private final AtomicInteger active = new AtomicInteger();
    private final LongAdder accepted = new LongAdder();
    private final CompletableFuture<Void> idle = new CompletableFuture<>();
    private final AtomicInteger state = new AtomicInteger();
    private Loops loops;
    private Map<EventLoop, Set<C>> open;
    private Acceptors acceptors;
    private int maxConnections;
    private volatile boolean draining;

    /** A runtime on {@code givenLoops}, or on {@code threads} loops of its own with buffers of {@code bufferSize}. */
    public ServerRuntime(String name, Loops givenLoops, int threads, int bufferSize) {
        this.name = name;
        this.givenLoops = givenLoops;
        this.threads = threads;
        this.bufferSize = bufferSize;
    }

    /**
     * Binds and starts accepting; returns once bound.
     *
     * @throws java.io.UncheckedIOException naming the address when it cannot be bound
     */
    public void start(InetSocketAddress listen, int backlog, int maxConnectionsLimit, Factory factory) {
        if (!state.compareAndSet(0, 1)) {
            throw new IllegalStateException(name + ": already started");
        }
        maxConnections = maxConnectionsLimit;
        loops = givenLoops != null ? givenLoops : Loops.start("jlb-" + name, threads, bufferSize);
        open = new IdentityHashMap<>();
        for (int i = 0; i < loops.size(); i++) {
            open.put(loops.loop(i), new HashSet<>());
        }
        try {
            acceptors = Acceptors.bind(loops, listen, backlog, (loop, channel) -> {
                if (draining) {
                    closeQuietly(channel);
                    return;
                }
                factory.accepted(loop, channel);
            }, () -> maxConnections == 0 || active.get() < maxConnections);
        } catch (RuntimeException e) {
            state.set(2);
            if (givenLoops == null) {
                loops.close();
            }
            throw e;
        }
        LOG.info("{}: listening on {}", name, acceptors.address());
    }

    /**
     * Counts a new connection on {@code loop}; false (and the caller closes it) when over the connection limit.
     * Loop thread only.
     */
    public boolean opened(EventLoop loop, C connection) {
        accepted.increment();
        int now = active.incrementAndGet();
        if (maxConnections > 0 && now > maxConnections) {
            active.decrementAndGet();
            return false;
        }
        open.get(loop).add(connection);
        loop.addLoad(1);
        return true;
    }

    /** Forgets a closed connection. Loop thread only; idempotent. */
    public void closed(EventLoop loop, C connection) {
        Set<C> onLoop = open == null ? null : open.get(loop);
        if (onLoop != null && onLoop.remove(connection)) {
            loop.addLoad(-1);
            int now = active.decrementAndGet();
            if (draining && now == 0) {
                idle.complete(null);
            } else if (maxConnections > 0 && now == maxConnections - 1) {
                acceptors.resume();
            }
        }
    }

    /** Runs {@code action} on each connection open on {@code loop}. Loop thread only. */
    public void forEachOpen(EventLoop loop, java.util.function.Consumer<C> action) {
        new ArrayList<>(open.get(loop)).forEach(action);
    }

    /** The loops connections run on. */
    public Loops loops() {
        return loops;
    }

    /** The bound address. */
    public InetSocketAddress address() {
        if (acceptors == null) {
            throw new IllegalStateException(name + ": not started");
        }
        return acceptors.address();
    }

    /** Connections open now. */
    public int active() {
        return active.get();
    }

    /** Connections ever accepted. */
    public long accepted() {
        return accepted.sum();
    }

    /** Whether a graceful close is under way. */
    public boolean draining() {
        return draining;
    }

    /**
     * Stops accepting, waits up to {@code drainTimeout} for open connections to finish, cuts the rest, and stops
     * the loops it started. Idempotent; returns at once when never started.
     */
    public void close(Duration drainTimeout) {
        close(drainTimeout, loop -> { });
    }

    /** Like {@link #close(Duration)}, running {@code beforeStop} on each loop once its connections are gone. */
    public void close(Duration drainTimeout, java.util.function.Consumer<EventLoop> beforeStop) {
        if (!state.compareAndSet(1, 2)) {
            return;
        }
        acceptors.close().join();
        draining = true;
        List<CompletableFuture<Void>> drains = new ArrayList<>();
        for (Map.Entry<EventLoop, Set<C>> e : open.entrySet()) {
            if (e.getKey().running()) {
                drains.add(e.getKey().submit(() -> {
                    new ArrayList<>(e.getValue()).forEach(Connection::drain);
                    return null;
                }));
            }
        }
        CompletableFuture.allOf(drains.toArray(new CompletableFuture<?>[0])).join();
        if (active.get() == 0) {
            idle.complete(null);
        }
        try {
            idle.get(drainTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            LOG.info("{}: {} connection(s) still open after the {} drain; closing them", name, active.get(), drainTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException impossible) {
            throw new IllegalStateException(impossible);
        }
        List<CompletableFuture<Void>> cuts = new ArrayList<>();
        for (Map.Entry<EventLoop, Set<C>> e : open.entrySet()) {
            if (e.getKey().running()) {
                cuts.add(e.getKey().submit(() -> {
                    new ArrayList<>(e.getValue()).forEach(Connection::abort);
                    beforeStop.accept(e.getKey());
                    return null;
                }));
            }
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
