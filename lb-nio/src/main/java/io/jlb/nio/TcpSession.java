package io.jlb.nio;

import io.jlb.core.Lease;
import io.jlb.core.Member;
import io.jlb.core.PickContext;
import io.jlb.core.Pool;
import io.jlb.nio.internal.Addresses;
import io.jlb.nio.internal.ClientHello;
import io.jlb.nio.internal.EventLoop;
import io.jlb.nio.internal.IoHandler;
import io.jlb.nio.internal.ProxyHeader;
import io.jlb.nio.internal.Relay;
import io.jlb.nio.internal.ServerRuntime;
import io.jlb.nio.internal.Timer;
import io.jlb.nio.internal.TlsTransport;
import io.jlb.nio.internal.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of a {@link TcpProxy}, on one loop from accept to close. Phases: read a PROXY header (when
 * required), peek at the TLS ClientHello (when routing by SNI), connect to a backend (retrying others on failure
 * or timeout), then hand both sockets to a {@link Relay}. Bytes read while inspecting are relayed first, untouched.
 */
final class TcpSession implements IoHandler, Relay.Observer, ServerRuntime.Connection {
    private static final Logger LOG = LoggerFactory.getLogger(TcpSession.class);

    private enum Phase { PROXY_HEADER, SNI, CONNECTING, RELAYING, CLOSED }

    private final TcpProxy proxy;
    private final EventLoop loop;
    private final SocketChannel client;
    private final Timer timer;
    private final BackendConnect backendConnect = new BackendConnect();
    private SelectionKey clientKey;
    private InetSocketAddress clientAddress;
    private InetSocketAddress localAddress;
    private Phase phase;
    private ByteBuffer inbound;
    private Pool pool;
    private PickContext context;
    private Lease lease;
    private Member tried;
    private int attempts;
    private SocketChannel backend;
    private long connectStart;
    private long connectedAt;
    private Relay relay;
    // For the access log: when the connection arrived, what crossed, how it ended.
    private long startedAt;
    private long startedMillis;
    private long connectTime = -1;
    private long bytesIn;
    private long bytesOut;
    private String outcome = "closed";

    TcpSession(TcpProxy proxy, EventLoop loop, SocketChannel client) {
        this.proxy = proxy;
        this.loop = loop;
        this.client = client;
        this.timer = loop.timer(this::timedOut);
    }

    void start() throws IOException {
        clientAddress = (InetSocketAddress) client.getRemoteAddress();
        localAddress = (InetSocketAddress) client.getLocalAddress();
        clientKey = loop.register(client, 0, this);
        startedAt = loop.now();
        if (proxy.accessLog != null) {
            startedMillis = System.currentTimeMillis();
        }
        if (proxy.acceptProxyProtocol) {
            inspect(Phase.PROXY_HEADER);
        } else if (!proxy.sniRoutes.isEmpty()) {
            inspect(Phase.SNI);
        } else {
            pool = proxy.defaultPool;
            beginConnecting();
        }
    }

    private void inspect(Phase what) {
        phase = what;
        clientKey.interestOps(SelectionKey.OP_READ);
        if (!timer.scheduled()) {
            timer.schedule(proxy.inspectTimeoutNanos);
        }
    }

    // ---- inspection: PROXY header, then SNI ----

    @Override
    public void ready(int readyOps) {
        if (phase != Phase.PROXY_HEADER && phase != Phase.SNI) {
            return;
        }
        if (inbound == null) {
            inbound = loop.buffers().take();
        }
        int n;
        try {
            n = client.read(inbound);
        } catch (IOException e) {
            reject("client failed while being inspected: " + e.getMessage());
            return;
        }
        if (n < 0) {
            reject("client closed before " + (phase == Phase.SNI ? "its TLS ClientHello" : "a PROXY header"));
            return;
        }
        inspectBuffered();
    }

    private void inspectBuffered() {
        ByteBuffer view = inbound.duplicate().flip();
        if (phase == Phase.PROXY_HEADER) {
            ProxyHeader.Result r = ProxyHeader.read(view);
            if (r.needMore()) {
                return;
            }
            if (r.invalid()) {
                reject("bad PROXY header: " + r.error());
                return;
            }
            if (r.source() != null) {
                clientAddress = r.source();
                localAddress = r.destination(); // chained proxies pass the original destination on
            }
            inbound.flip().position(r.length());
            inbound.compact();
            if (!proxy.sniRoutes.isEmpty()) {
                phase = Phase.SNI;
                if (inbound.position() > 0) {
                    inspectBuffered();
                }
                return;
            }
            pool = proxy.defaultPool;
        } else {
            ClientHello.Sni sni = ClientHello.serverName(view);
            switch (sni.kind()) {
                case NEED_MORE:
                    if (!inbound.hasRemaining()) {
                        reject("TLS ClientHello larger than the buffer");
                    }
                    return;
                case FOUND:
                    pool = proxy.poolFor(sni.name());
                    if (pool == null) {
                        reject("no route for server name '" + sni.name() + "' and no default pool");
                        return;
                    }
                    break;
                default:
                    pool = proxy.defaultPool;
                    if (pool == null) {
                        reject("no server name (" + (sni.name() == null ? "none in ClientHello" : sni.name())
                                + ") and no default pool");
                        return;
                    }
            }
        }
        clientKey.interestOps(0);
        timer.cancel();
        beginConnecting();
    }

    // ---- connecting ----

    private void beginConnecting() {
        context = PickContext.of(clientAddress);
        phase = Phase.CONNECTING;
        connectNext();
    }

    private void connectNext() {
        Lease taken = pool.acquire(context, attempts == 0 ? null : tried, proxy.maxConnectionsPerBackend);
        if (!taken.found()) {
            reject(taken.atCapacity() ? "every backend of pool '" + pool.name() + "' is at its connection limit"
                    : "no backend available in pool '" + pool.name() + "'");
            return;
        }
        attempts++;
        tried = taken.member();
        lease = taken;
        try {
            backend = io.jlb.nio.internal.Addresses.openSocket(tried.backend().address());
            backend.configureBlocking(false);
            backend.setOption(StandardSocketOptions.TCP_NODELAY, true);
            connectStart = loop.now();
            if (backend.connect(tried.backend().address())) {
                connected();
                return;
            }
            loop.register(backend, SelectionKey.OP_CONNECT, backendConnect);
            timer.schedule(proxy.connectTimeoutNanos);
        } catch (IOException | RuntimeException e) { // UnresolvedAddressException and friends are unchecked
            connectFailed(describe(e));
        }
    }

    private final class BackendConnect implements IoHandler {
        @Override
        public void ready(int readyOps) {
            try {
                if (backend.finishConnect()) {
                    connected();
                }
            } catch (IOException e) {
                connectFailed(describe(e));
            }
        }

        @Override
        public void failed(Throwable error) {
            connectFailed(describe(error));
        }
    }

    private void connectFailed(String reason) {
        if (phase != Phase.CONNECTING) {
            return;
        }
        timer.cancel();
        proxy.stats.connectFailures.increment();
        tried.recordConnectFailure();
        lease.failure();
        lease.close();
        lease = null;
        closeQuietly(backend);
        backend = null;
        LOG.debug("{}: connect to {} failed for {}: {}", proxy.name, tried.backend(), clientAddress, reason);
        if (attempts < proxy.connectAttempts) {
            proxy.stats.retries.increment();
            connectNext();
        } else {
            reject("backend connect failed after " + attempts + " attempt(s): " + reason);
        }
    }

    private void connected() {
        timer.cancel();
        connectTime = loop.now() - connectStart;
        tried.recordConnect(connectTime);
        proxy.stats.connectTimes.record(connectTime);
        lease.success(connectTime);
        connectedAt = loop.now();
        phase = Phase.RELAYING;
        try {
            if (proxy.sendProxyProtocol != null) {
                sendProxyHeader();
            }
            ByteBuffer pending = null;
            if (inbound != null) {
                pending = inbound.flip();
                inbound = null;
            }
            Transport clientSide = Transport.plain(client);
            if (proxy.tls != null) { // the client's TLS starts now; bytes after a PROXY header belong to it
                TlsTransport tls = new TlsTransport(loop, client, proxy.tls.newEngine(null), proxy.handshakes);
                if (pending != null) {
                    tls.unread(pending);
                    loop.buffers().give(pending);
                    pending = null;
                }
                clientSide = tls;
            }
            relay = new Relay(loop, clientSide, Transport.plain(backend), proxy.idleTimeoutNanos, this);
            relay.start(pending, null);
        } catch (IOException e) {
            LOG.debug("{}: relay to {} for {} could not start: {}", proxy.name, tried.backend(), clientAddress, e.toString());
            close();
        }
    }

    /** A fresh connection's send buffer is empty, so a header of at most 232 bytes is written whole. */
    private void sendProxyHeader() throws IOException {
        ByteBuffer header = ByteBuffer.allocate(256);
        ProxyHeader.write(proxy.sendProxyProtocol == ProxyProtocol.V1 ? 1 : 2, clientAddress, localAddress, true, header);
        header.flip();
        backend.write(header);
        if (header.hasRemaining()) {
            throw new IOException("could not write the PROXY header at once");
        }
    }

    private void timedOut() {
        if (phase == Phase.CONNECTING) {
            connectFailed("connect timeout after " + TimeUnit.NANOSECONDS.toMillis(proxy.connectTimeoutNanos) + " ms");
        } else if (phase == Phase.PROXY_HEADER || phase == Phase.SNI) {
            reject("timed out waiting for " + (phase == Phase.SNI ? "a TLS ClientHello" : "a PROXY header"));
        }
    }

    // ---- relaying ----

    @Override
    public void transferred(boolean fromClient, int bytes) {
        if (fromClient) {
            proxy.stats.bytesFromClients.add(bytes);
            tried.recordTraffic(bytes, 0);
            bytesIn += bytes;
        } else {
            proxy.stats.bytesToClients.add(bytes);
            tried.recordTraffic(0, bytes);
            bytesOut += bytes;
        }
    }

    @Override
    public void closed(Relay r, Relay.Outcome outcome, Throwable cause) {
        if (outcome == Relay.Outcome.IDLE_TIMEOUT) {
            proxy.stats.idleTimeouts.increment();
        }
        long duration = loop.now() - connectedAt;
        tried.recordDuration(duration);
        proxy.stats.durations.record(duration);
        LOG.debug("{}: {} <-> {} ended: {}", proxy.name, clientAddress, tried.backend(), outcome);
        this.outcome = switch (outcome) {
            case COMPLETED -> "closed";
            case FAILED_A -> "client-error";
            case FAILED_B -> "backend-error";
            case IDLE_TIMEOUT -> "idle-timeout";
            case ABORTED -> "aborted";
        };
        close();
    }

    // ---- the end ----

    private void reject(String reason) {
        outcome = phase == Phase.CONNECTING ? (tried == null ? "no-backend" : "connect-failed") : "rejected";
        proxy.stats.rejected.increment();
        LOG.debug("{}: closing {}: {}", proxy.name, clientAddress, reason);
        close();
    }

    /** Cuts the connection now (a shutdown deadline passed). */
    @Override
    public void abort() {
        if (relay != null && !relay.finished()) {
            relay.abort();
        } else {
            close();
        }
    }

    @Override
    public void failed(Throwable error) {
        close();
    }

    private void close() {
        if (phase == Phase.CLOSED) {
            return;
        }
        phase = Phase.CLOSED;
        timer.cancel();
        if (inbound != null) {
            loop.buffers().give(inbound);
            inbound = null;
        }
        closeQuietly(client);
        closeQuietly(backend);
        if (lease != null) {
            lease.close();
        }
        proxy.sessionClosed(loop, this);
        if (proxy.accessLog != null && proxy.accessLog.enabled()) {
            logConnection();
        }
    }

    private void logConnection() {
        StringBuilder before = new StringBuilder(24);
        AccessLog.token(before, clientAddress == null ? null : Addresses.text(clientAddress.getAddress())).append(" - -");
        StringBuilder after = new StringBuilder(160).append("\"TCP\" - ").append(bytesOut).append(" \"-\" \"-\" listener=");
        AccessLog.token(after, proxy.name).append(" pool=");
        AccessLog.token(after, pool == null ? null : pool.name()).append(" upstream=");
        AccessLog.token(after, tried == null ? null : tried.backend().authority()).append(" bytes_in=").append(bytesIn)
                .append(" connect_ms=");
        AccessLog.millis(after, connectTime).append(" total_ms=");
        AccessLog.millis(after, loop.now() - startedAt).append(" outcome=").append(outcome);
        proxy.accessLog.log(startedMillis, before.toString(), after.toString());
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing: nothing more to do
            }
        }
    }
}
