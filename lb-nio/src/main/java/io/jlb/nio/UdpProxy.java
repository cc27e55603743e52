package io.jlb.nio;

import io.jlb.core.Lease;
import io.jlb.core.PickContext;
import io.jlb.core.Pool;
import io.jlb.nio.internal.Addresses;
import io.jlb.nio.internal.EventLoop;
import io.jlb.nio.internal.IoHandler;
import io.jlb.nio.internal.Loops;
import io.jlb.nio.internal.Timer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An L4 UDP proxy for request/response traffic such as DNS: each client address gets a session — a backend picked
 * from the pool (IP-hash selectors key on the client's address) and a socket connected to it — that lives until no
 * datagram has passed either way for the session timeout. Client datagrams go to the session's backend; its
 * replies go back to that client from the listening address.
 *
 * <p>Where the platform offers {@code SO_REUSEPORT}, each loop has its own listening socket and the kernel keeps a
 * client's datagrams on one of them, so a session stays on one loop. Thread-safe.
 *
 * <pre>{@code
 * UdpProxy dns = UdpProxy.builder().listen("127.0.0.1:5353").loadBalancer(lb).pool("dns").build().start();
 * }</pre>
 */
public final class UdpProxy implements Listener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpProxy.class);
    private static final int MAX_DATAGRAM = 65_535;
    private static final int DATAGRAMS_PER_EVENT = 64;

    private final InetSocketAddress listen;
    private final Pool pool;
    private final EventLoopGroup givenLoops;
    private final int threads;
    private final long sessionTimeoutNanos;
    private final int maxSessions;
    private final String name;
    private final AccessLog accessLog;
    private final ProxyStats stats = new ProxyStats("session");
    private final List<Socket> sockets = new ArrayList<>();
    private Loops loops;
    private InetSocketAddress address;
    private volatile boolean started;
    private volatile boolean closed;

    UdpProxy(InetSocketAddress listen, Pool pool, EventLoopGroup givenLoops, int threads, Duration sessionTimeout,
            int maxSessions, String name, AccessLog accessLog) {
        this.listen = listen;
        this.pool = pool;
        this.givenLoops = givenLoops;
        this.threads = threads;
        this.sessionTimeoutNanos = sessionTimeout.toNanos();
        this.maxSessions = maxSessions;
        this.name = name;
        this.accessLog = accessLog;
    }

    /** A builder for a UDP proxy. */
    public static UdpProxyBuilder builder() {
        return new UdpProxyBuilder();
    }

    /** Binds and starts relaying; returns once bound. */
    public synchronized UdpProxy start() {
        if (started) {
            throw new IllegalStateException(name + ": already started");
        }
        started = true;
        loops = givenLoops != null ? givenLoops.loops() : Loops.start("jlb-" + name, threads, 16 * 1024);
        boolean reusePort = supportsReusePort();
        int count = reusePort ? loops.size() : 1;
        InetSocketAddress target = listen;
        try {
            for (int i = 0; i < count; i++) {
                EventLoop loop = loops.loop(i);
                InetSocketAddress bindTo = target;
                Socket l = loop.submit(() -> new Socket(loop, bindTo, reusePort)).join();
                sockets.add(l);
                if (i == 0) {
                    address = (InetSocketAddress) l.channel.getLocalAddress();
                    target = new InetSocketAddress(listen.getAddress(), address.getPort());
                }
            }
        } catch (CompletionException | IOException e) {
            close();
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            throw new UncheckedIOException("cannot listen on udp " + listen + ": " + cause.getMessage(),
                    cause instanceof IOException io ? io : new IOException(cause));
        }
        LOG.info("{}: listening on udp {}", name, address);
        return this;
    }

    private static boolean supportsReusePort() {
        try (DatagramChannel probe = DatagramChannel.open()) {
            return probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        } catch (IOException e) {
            return false;
        }
    }

    /** The bound address. */
    @Override
    public InetSocketAddress address() {
        return address;
    }

    /** Live counters: accepted and active are sessions; bytes count datagram payloads. */
    @Override
    public ProxyStats stats() {
        return stats;
    }

    @Override
    public String name() {
        return name;
    }

    /** {@code udp}. */
    @Override
    public String protocol() {
        return "udp";
    }

    /** Null: datagrams are relayed as they are. */
    @Override
    public ServerTls tls() {
        return null;
    }

    /** Ends every session, closes the listening sockets and the loops it started. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed || !started) {
            closed = true;
            return;
        }
        closed = true;
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (Socket l : sockets) {
            closing.add(l.loop.submit(() -> {
                l.close();
                return null;
            }));
        }
        CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0])).join();
        if (givenLoops == null && loops != null) {
            loops.close();
        }
        LOG.info("{}: closed", name);
    }

    /** One listening socket and the sessions of the clients whose datagrams arrive on it. Loop-confined. */
    private final class Socket implements IoHandler {
        final EventLoop loop;
        final DatagramChannel channel;
        final Map<InetSocketAddress, Session> sessions = new HashMap<>();
        final ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);

        Socket(EventLoop loop, InetSocketAddress address, boolean reusePort) {
            this.loop = loop;
            try {
                channel = address.getAddress() instanceof java.net.Inet6Address
                        ? DatagramChannel.open(StandardProtocolFamily.INET6) : DatagramChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                if (reusePort) {
                    channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
                channel.bind(address);
                loop.register(channel, SelectionKey.OP_READ, this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void ready(int readyOps) {
            for (int i = 0; i < DATAGRAMS_PER_EVENT; i++) {
                buffer.clear();
                InetSocketAddress client;
                try {
                    client = (InetSocketAddress) channel.receive(buffer);
                } catch (IOException e) {
                    LOG.debug("{}: receive failed: {}", name, e.toString());
                    return;
                }
                if (client == null) {
                    return;
                }
                buffer.flip();
                Session s = sessions.get(client);
                if (s == null) {
                    s = open(client);
                    if (s == null) {
                        continue;
                    }
                }
                s.toBackend(buffer);
            }
        }

        private Session open(InetSocketAddress client) {
            if (stats.active() >= maxSessions) {
                stats.rejected.increment();
                return null;
            }
            Lease lease = pool.acquire(PickContext.of(client));
            if (!lease.found()) {
                stats.rejected.increment();
                LOG.debug("{}: no backend available for {}", name, client);
                return null;
            }
            try {
                DatagramChannel backend = DatagramChannel.open();
                backend.configureBlocking(false);
                backend.connect(lease.backend().address());
                Session s = new Session(this, client, backend, lease);
                s.key = loop.register(backend, SelectionKey.OP_READ, s);
                sessions.put(client, s);
                stats.acceptedSessions.increment();
                stats.activeSessions.incrementAndGet();
                s.touch();
                return s;
            } catch (IOException | RuntimeException e) {
                stats.connectFailures.increment();
                lease.failure();
                lease.close();
                LOG.debug("{}: cannot open a socket to {}: {}", name, lease.backend(), e.toString());
                return null;
            }
        }

        void close() {
            for (Session s : new ArrayList<>(sessions.values())) {
                s.end();
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing
            }
        }

        @Override
        public void failed(Throwable error) {
            LOG.error("{}: listener failed", name, error);
        }
    }

    /** One client's datagrams to and from its backend. */
    private final class Session implements IoHandler {
        final Socket socket;
        final InetSocketAddress client;
        final DatagramChannel backend;
        final Lease lease;
        final Timer idle;
        SelectionKey key;
        long lastActivity;
        boolean ended;
        final long startedAt;
        final long startedMillis;
        long bytesIn;
        long bytesOut;
        String outcome = "closed";

        Session(Socket socket, InetSocketAddress client, DatagramChannel backend, Lease lease) {
            this.socket = socket;
            this.client = client;
            this.backend = backend;
            this.lease = lease;
            this.idle = socket.loop.timer(this::idleCheck);
            this.startedAt = socket.loop.now();
            this.startedMillis = accessLog == null ? 0 : System.currentTimeMillis();
        }

        void touch() {
            lastActivity = socket.loop.now();
            if (!idle.scheduled()) {
                idle.scheduleAt(lastActivity + sessionTimeoutNanos);
            }
        }

        void toBackend(ByteBuffer datagram) {
            int size = datagram.remaining();
            try {
                if (backend.write(datagram) > 0) {
                    stats.bytesFromClients.add(size);
                    lease.member().recordTraffic(size, 0);
                    bytesIn += size;
                }
                touch();
            } catch (IOException e) { // an earlier datagram drew an ICMP port unreachable
                unreachable(e);
            }
        }

        @Override
        public void ready(int readyOps) {
            ByteBuffer buffer = socket.buffer;
            for (int i = 0; i < DATAGRAMS_PER_EVENT && !ended; i++) {
                buffer.clear();
                int n;
                try {
                    n = backend.read(buffer);
                } catch (IOException e) {
                    unreachable(e);
                    return;
                }
                if (n <= 0) {
                    return;
                }
                buffer.flip();
                try {
                    socket.channel.send(buffer, client);
                    stats.bytesToClients.add(n);
                    lease.member().recordTraffic(0, n);
                    bytesOut += n;
                    lease.success();
                } catch (IOException e) {
                    LOG.debug("{}: cannot send to client {}: {}", name, client, e.toString());
                }
                touch();
            }
        }

        private void unreachable(IOException e) {
            stats.connectFailures.increment();
            lease.failure();
            LOG.debug("{}: backend {} unreachable for {}: {}", name, lease.backend(), client, e.toString());
            outcome = "backend-unreachable";
            end();
        }

        private void idleCheck() {
            long now = socket.loop.now();
            if (now - lastActivity >= sessionTimeoutNanos) {
                stats.idleTimeouts.increment();
                outcome = "idle-timeout";
                end();
            } else {
                idle.scheduleAt(lastActivity + sessionTimeoutNanos);
            }
        }

        void end() {
            if (ended) {
                return;
            }
            ended = true;
            idle.cancel();
            socket.sessions.remove(client);
            stats.activeSessions.decrementAndGet();
            lease.close();
            try {
                backend.close();
            } catch (IOException ignored) {
                // closing
            }
            long duration = socket.loop.now() - startedAt;
            lease.member().recordDuration(duration);
            stats.durations.record(duration);
            if (accessLog != null && accessLog.enabled()) {
                log(duration);
            }
        }

        private void log(long duration) {
            StringBuilder before = new StringBuilder(24);
            AccessLog.token(before, Addresses.text(client.getAddress())).append(" - -");
            StringBuilder after = new StringBuilder(160).append("\"UDP\" - ").append(bytesOut)
                    .append(" \"-\" \"-\" listener=");
            AccessLog.token(after, name).append(" pool=");
            AccessLog.token(after, pool.name()).append(" upstream=");
            AccessLog.token(after, lease.backend().authority()).append(" bytes_in=").append(bytesIn)
                    .append(" connect_ms=- total_ms=");
            AccessLog.millis(after, duration).append(" outcome=").append(outcome);
            accessLog.log(startedMillis, before.toString(), after.toString());
        }

        @Override
        public void failed(Throwable error) {
            end();
        }
    }
}
