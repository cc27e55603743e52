package io.jlb.nio.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening address served by a group of loops. Where the platform offers {@code SO_REUSEPORT}, every loop gets
 * its own listening socket on the same port and the kernel spreads connections over them, so a connection is
 * usually served by the loop that accepted it; a loop that has more connections than the least loaded one hands
 * new ones to it. Otherwise one socket on the first loop accepts and hands connections to the least loaded loop.
 *
 * <p>Before each accept the owner's gate is asked whether another connection may come in; when it says no, the
 * acceptor stops listening for readiness (new connections wait in the kernel's backlog, as HAProxy's maxconn
 * does) until {@link #resume()}.
 */
public final class Acceptors {
    private static final Logger LOG = LoggerFactory.getLogger(Acceptors.class);
    private static final int ACCEPTS_PER_EVENT = 64;
    /** How many more connections than the least loaded loop a loop keeps before it hands new ones over. */
    private static final int IMBALANCE = 1;
    private static final long ACCEPT_ERROR_BACKOFF_NANOS = 100_000_000L;

    /** Takes an accepted, non-blocking channel on the loop that will serve it. */
    @FunctionalInterface
    public interface Handler {
        void accepted(EventLoop loop, SocketChannel channel);
    }

    private final Loops loops;
    private final List<Acceptor> acceptors = new ArrayList<>();
    private final Handler handler;
    private final BooleanSupplier gate;
    private InetSocketAddress address;

    private Acceptors(Loops loops, Handler handler, BooleanSupplier gate) {
        this.loops = loops;
        this.handler = handler;
        this.gate = gate;
    }

    /**
     * Binds {@code address} (port 0 picks a free port) and starts accepting; returns once every socket is bound.
     *
     * @throws UncheckedIOException naming the address when it cannot be bound
     */
    public static Acceptors bind(Loops loops, InetSocketAddress address, int backlog, Handler handler,
            BooleanSupplier gate) {
        Acceptors a = new Acceptors(loops, handler, gate);
        boolean reusePort = supportsReusePort();
        int count = reusePort ? loops.size() : 1;
        InetSocketAddress target = address;
        try {
            for (int i = 0; i < count; i++) {
                EventLoop loop = loops.loop(i);
                InetSocketAddress bindTo = target;
                Acceptor acceptor = loop.submit(() -> a.open(loop, bindTo, backlog, reusePort, count > 1)).join();
                a.acceptors.add(acceptor);
                if (i == 0) {
                    a.address = (InetSocketAddress) acceptor.channel.getLocalAddress();
                    target = new InetSocketAddress(address.getAddress(), a.address.getPort());
                }
            }
        } catch (CompletionException | IOException e) {
            a.close().join();
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof UncheckedIOException u) {
                cause = u.getCause();
            }
            throw new UncheckedIOException("cannot listen on " + address + ": " + cause.getMessage(),
                    cause instanceof IOException io ? io : new IOException(cause));
        }
        return a;
    }

    private static boolean supportsReusePort() {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            return probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        } catch (IOException e) {
            return false;
        }
    }

    private Acceptor open(EventLoop loop, InetSocketAddress address, int backlog, boolean reusePort, boolean spread) {
        try {
            ServerSocketChannel channel = Addresses.openServerSocket(address);
            try {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                if (reusePort) {
                    channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
                channel.bind(address, backlog);
                Acceptor acceptor = new Acceptor(loop, channel, spread);
                acceptor.key = loop.register(channel, SelectionKey.OP_ACCEPT, acceptor);
                return acceptor;
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bound address (with the actual port when 0 was asked for). */
    public InetSocketAddress address() {
        return address;
    }

    /** Resumes acceptors the gate paused; call when the gate opens again. Safe from any thread. */
    public void resume() {
        for (Acceptor a : acceptors) {
            if (a.paused) {
                a.loop.execute(a::resumeNow);
            }
        }
    }

    /** Stops listening; connections already accepted are untouched. Completes once every socket is closed. */
    public CompletableFuture<Void> close() {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (Acceptor a : acceptors) {
            closing.add(a.loop.submit(() -> {
                a.closeNow();
                return null;
            }));
        }
        return CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0]));
    }

    private final class Acceptor implements IoHandler {
        final EventLoop loop;
        final ServerSocketChannel channel;
        final boolean spread;
        final Timer backoff;
        SelectionKey key;
        volatile boolean paused;

        Acceptor(EventLoop loop, ServerSocketChannel channel, boolean spread) {
            this.loop = loop;
            this.channel = channel;
            this.spread = spread;
            this.backoff = loop.timer(this::resumeNow);
        }

        @Override
        public void ready(int readyOps) {
            for (int i = 0; i < ACCEPTS_PER_EVENT; i++) {
                if (!gate.getAsBoolean()) {
                    pause();
                    return;
                }
                SocketChannel accepted;
                try {
                    accepted = channel.accept();
                } catch (IOException e) {
                    // Out of file descriptors or the like: back off rather than spin on a ready socket.
                    LOG.warn("accept on {} failed: {}", address, e.toString());
                    key.interestOps(0);
                    backoff.schedule(ACCEPT_ERROR_BACKOFF_NANOS);
                    return;
                }
                if (accepted == null) {
                    return;
                }
                try {
                    accepted.configureBlocking(false);
                    accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
                } catch (IOException e) {
                    closeQuietly(accepted);
                    continue;
                }
                EventLoop target = target();
                if (target == loop) {
                    handler.accepted(loop, accepted);
                } else {
                    target.addLoad(1); // on its way: counted now, so that a burst of accepts spreads
                    target.execute(() -> {
                        target.addLoad(-1);
                        handler.accepted(target, accepted);
                    });
                }
            }
        }

        /**
         * The loop that serves the connection just accepted: this one, unless another is less loaded by more than
         * {@link #IMBALANCE}. The kernel spreads connections over the loops' sockets by a hash of their addresses,
         * which leaves loops uneven (64 connections often split 40 to 24); keep-alive connections stay where they
         * land, and the busier loop's requests wait (p99 ten times the even case).
         */
        private EventLoop target() {
            EventLoop least = loops.leastLoaded();
            if (spread && loop.load() <= least.load() + IMBALANCE) {
                return loop;
            }
            return least;
        }

        private void pause() {
            paused = true;
            key.interestOps(0);
            if (gate.getAsBoolean()) { // the gate reopened while pausing: do not wait for a resume that came early
                resumeNow();
            }
        }

        void resumeNow() {
            paused = false;
            if (key.isValid()) {
                key.interestOps(SelectionKey.OP_ACCEPT);
            }
        }

        void closeNow() {
            backoff.cancel();
            closeQuietly(channel);
        }

        @Override
        public void failed(Throwable error) {
            LOG.error("acceptor on {} failed", address, error);
        }
    }

    static void closeQuietly(java.nio.channels.Channel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing more to do
        }
    }
}
