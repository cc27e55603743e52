package io.jlb.http;

import io.jlb.core.PickContext;
import io.jlb.http.internal.BodySource;
import io.jlb.http.internal.HeadParser;
import io.jlb.http.internal.HttpHead;
import io.jlb.http.internal.h2.Frames;
import io.jlb.nio.internal.Addresses;
import io.jlb.nio.internal.EventLoop;
import io.jlb.nio.internal.IoHandler;
import io.jlb.nio.internal.ProxyHeader;
import io.jlb.nio.internal.ServerRuntime;
import io.jlb.nio.internal.Timer;
import io.jlb.nio.internal.TlsTransport;
import io.jlb.nio.internal.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of an HTTP/1.1 connection, from accept to close, on one loop: an optional PROXY header and TLS,
 * then requests one at a time, in order (pipelined ones wait in the buffer, and are taken up from the loop's task
 * queue so that hundreds of them never deepen the stack). For each: parse the head and hand it to the connection's
 * {@link Exchange}; offer the body in place as a {@link BodySource}, decoded from its framing on demand; write the
 * response through an {@link Http1Responder}; then wait for the next request, or close after the last response
 * (half-close, then read and discard for a while so that unread bytes do not turn the close into a reset). Bytes of
 * an ambiguous message are never read past: after an error the connection closes.
 */
final class Http1Connection implements IoHandler, ServerRuntime.Connection, ClientSide {
    private static final Logger LOG = LoggerFactory.getLogger(Http1Connection.class);
    private static final String[] HTTP_1_1 = {"http/1.1"};
    private static final String[] H2_AND_HTTP_1_1 = {"h2", "http/1.1"};
    private static final long LINGER_NANOS = 2_000_000_000L;

    private enum State { PROXY_HEADER, IDLE, HEAD, EXCHANGE, LINGER, TUNNEL, H2, CLOSED }

    private final ListenerContext ctx;
    private final EventLoop loop;
    private final Transport socket;
    private final HeadParser parser;
    private final Timer timer;
    private final Exchange exchange;
    private final Http1Responder responder;
    private final Http1Input input;
    private final Runnable nextPipelined = this::nextPipelined;
    private Transport transport;
    private InetSocketAddress peer;
    private String peerIp;
    /** The peer as selectors see it, made once per connection. */
    private PickContext peerPick;
    private boolean trustedPeer;
    private String localAuthority;
    private State state;
    private long deadline;
    private long idleSince;
    private boolean clientEof;
    private boolean abortive;
    private HttpHead head;
    private boolean keepAlive;
    private boolean responseReusable;
    private Tunnel tunnel;
    private Http2Connection h2;
    /** Whether a request has been taken up (a connection preface counts only before the first). */
    private boolean served;

    Http1Connection(ListenerContext ctx, EventLoop loop, Transport socket) {
        this.ctx = ctx;
        this.loop = loop;
        this.socket = socket;
        this.transport = socket;
        HttpLimits limits = ctx.limits;
        this.parser = new HeadParser(true, limits.maxRequestLineBytes(), limits.maxHeadBytes(), limits.maxHeaders());
        this.input = new Http1Input(loop.buffers(), limits, ctx.assertedHeaders);
        this.timer = loop.timer(this::timedOut);
        this.responder = new Http1Responder(loop.buffers(), ctx.forwarding);
        this.exchange = new Exchange(ctx, this);
    }

    /** Starts serving: {@code peer} and {@code local} are the connection's addresses. */
    void start(InetSocketAddress peerAddress, InetSocketAddress local) throws IOException {
        peer(peerAddress);
        localAuthority = Addresses.authority(local);
        socket.register(loop, this);
        if (ctx.acceptProxyProtocol) {
            state = State.PROXY_HEADER;
            deadline(ctx.headerTimeoutNanos);
        } else {
            startTls(null);
            idle(ctx.headerTimeoutNanos);
        }
        settle();
    }

    private void peer(InetSocketAddress address) {
        peer = address;
        peerIp = Addresses.text(address.getAddress());
        peerPick = PickContext.of(address);
        trustedPeer = ctx.trustedProxies.contains(address.getAddress());
    }

    /** Puts TLS over the connection when the listener terminates it; {@code early} are bytes already read. */
    private void startTls(ByteBuffer early) throws IOException {
        if (ctx.tls == null) {
            return;
        }
        String[] alpn = ctx.http2.enabled() ? H2_AND_HTTP_1_1 : HTTP_1_1;
        TlsTransport tls = new TlsTransport(loop, socket.channel(), ctx.tls.newEngine(alpn), ctx.handshakes);
        if (early != null && early.hasRemaining()) {
            tls.unread(early);
        }
        tls.register(loop, this);
        tls.onWake(() -> ready(SelectionKey.OP_READ | SelectionKey.OP_WRITE));
        transport = tls;
    }

    // ======================================================================== events

    @Override
    public void ready(int readyOps) {
        if (state == State.CLOSED || state == State.TUNNEL) {
            return;
        }
        if (state == State.H2) {
            h2.ready(readyOps);
            return;
        }
        try {
            readyOps = transport.onReady(readyOps);
        } catch (IOException e) {
            LOG.debug("{}: TLS with {} failed: {}", ctx.name, peer, e.toString());
            ctx.stats.tlsFailures.increment();
            abort();
            return;
        }
        if (!served && transport instanceof TlsTransport tls && tls.handshakeDone()
                && "h2".equals(tls.engine().getApplicationProtocol())) {
            http2(null); // ALPN chose h2
            return;
        }
        if ((readyOps & SelectionKey.OP_WRITE) != 0) {
            writable();
        }
        if ((readyOps & SelectionKey.OP_READ) != 0 && state != State.CLOSED && state != State.TUNNEL) {
            readable();
        }
        settle();
    }

    @Override
    public void failed(Throwable error) {
        LOG.debug("{}: connection of {} failed", ctx.name, peer, error);
        abort();
    }

    private void readable() {
        int n;
        try {
            n = input.read(transport);
        } catch (IOException e) {
            LOG.debug("{}: client {} failed: {}", ctx.name, peer, e.toString());
            clientGone();
            return;
        }
        if (n == -2) {
            if (state == State.HEAD || state == State.IDLE) {
                reject(431, "request head larger than " + input.capacity() + " bytes");
            }
            return; // a body in progress: reading resumes once the buffered bytes are written
        }
        if (n < 0) {
            clientEnded();
            return;
        }
        if (n == 0) {
            return;
        }
        touch();
        switch (state) {
            case PROXY_HEADER -> proxyHeader();
            case IDLE, HEAD -> head();
            case EXCHANGE -> exchange.requestData();
            case LINGER -> input.discard();
            default -> { }
        }
    }

    private void clientEnded() {
        clientEof = true;
        if (state == State.EXCHANGE && exchange.active()) {
            if (!input.bodyRead() || !exchange.requestForwarded()) {
                LOG.debug("{}: client {} left before its request was forwarded", ctx.name, peer);
                clientGone();
            }
            // else: a half-close after a request sent on; the response still goes out, then we close
        } else if (state != State.EXCHANGE) {
            close();
        }
    }

    /** The client reset, or left in the middle of its request: the exchange is cut. */
    private void clientGone() {
        if (state == State.EXCHANGE && exchange.active()) {
            exchange.clientFailed(); // it calls abort()
        } else {
            abort();
        }
    }

    private void writable() {
        if (state == State.EXCHANGE || state == State.LINGER) {
            responseData();
        }
    }

    // ======================================================================== requests

    private void proxyHeader() {
        ProxyHeader.Result r = ProxyHeader.read(input.buffer().duplicate().flip());
        if (r.needMore()) {
            return;
        }
        if (r.invalid()) {
            LOG.debug("{}: closing {}: bad PROXY header: {}", ctx.name, peer, r.error());
            close();
            return;
        }
        if (r.source() != null) {
            peer(r.source());
            if (r.destination() != null) {
                localAuthority = Addresses.authority(r.destination());
            }
        }
        input.start(r.length());
        if (ctx.tls != null) { // what follows the header is the TLS stream
            try {
                startTls(input.buffer().duplicate().flip().position(input.start()));
            } catch (IOException e) {
                close();
                return;
            }
            input.start(input.end());
        }
        idle(ctx.headerTimeoutNanos);
        if (input.unread()) {
            head();
        }
    }

    /**
     * Waits for the next request, at most {@code timeoutNanos}. The connection keeps no buffer while nothing is
     * pending; bytes of a pipelined request are moved to the start of the buffer.
     */
    private void idle(long timeoutNanos) {
        state = State.IDLE;
        idleSince = loop.now();
        input.idle();
        deadline(timeoutNanos);
    }

    /** Starts the pipelined request waiting in the buffer, from the loop's task queue. */
    private void nextPipelined() {
        if (state == State.IDLE && input.unread()) {
            head();
            settle();
        }
    }

    private void head() {
        if (!served && ctx.http2.enabled() && ctx.tls == null && state == State.IDLE) {
            int prefix = Frames.preface(input.buffer(), input.start(), input.end());
            if (prefix != Frames.NO_PREFACE) { // HTTP/2 with prior knowledge, or (partial) the start of it
                if (prefix == Frames.WHOLE_PREFACE) {
                    http2(input.buffer().duplicate().flip().position(input.start()));
                }
                return;
            }
        }
        served = true;
        if (state == State.IDLE) {
            state = State.HEAD;
            parser.begin(input.buffer(), input.start());
            deadline(ctx.headerTimeoutNanos);
        }
        HeadParser.Result r = parser.parse(input.end());
        if (r == HeadParser.Result.NEED_MORE) {
            if (input.end() == input.capacity()) {
                reject(431, "request head larger than " + input.capacity() + " bytes");
            }
            return;
        }
        ctx.stats.requests.increment();
        if (r == HeadParser.Result.ERROR) {
            LOG.debug("{}: {} sent a bad request: {} ({})", ctx.name, peer, parser.errorReason(), parser.errorStatus());
            reject(parser.errorStatus(), parser.errorReason());
            return;
        }
        head = parser.head();
        state = State.EXCHANGE;
        keepAlive = head.keepAlive();
        input.beginBody(head);
        responder.begin();
        String clientIp = clientIp(head);
        deadline(ctx.clientIdleNanos);
        exchange.begin(head, peer, clientIp, pick(clientIp), trustedPeer, input.hasBody());
    }

    @Override
    public void holdRequestBody(long maxBytes) {
        input.hold(maxBytes); // when the whole body is here: it can be sent again on a retry
    }

    /** The client of a request: the peer, or the client a trusted peer names in X-Forwarded-For. */
    String clientIp(HttpHead h) {
        String named = trustedPeer ? ForwardedHeaders.client(h, ctx.trustedProxies) : null;
        return named != null ? named : peerIp;
    }

    /** The client as selectors see it. */
    PickContext pick(String clientIp) {
        return clientIp == peerIp ? peerPick : PickContext.of(new InetSocketAddress(Addresses.parseLiteral(clientIp), 0));
    }

    /** The address the connection came from (or its PROXY header named). */
    InetSocketAddress peerAddress() {
        return peer;
    }

    /** The connection speaks HTTP/2 from here on; {@code early} holds what was read of it already. */
    private void http2(ByteBuffer early) {
        served = true;
        state = State.H2;
        timer.cancel();
        h2 = new Http2Connection(ctx, loop, transport, this);
        h2.start(early);
        input.release();
    }

    /** The HTTP/2 connection is over. */
    void http2Closed() {
        state = State.CLOSED;
        transport.close(false);
        ctx.connectionClosed(loop, this);
    }

    /** A request that cannot be taken up (a bad or too large head, a timeout mid-head): answered, then closed. */
    private void reject(int status, String why) {
        state = State.EXCHANGE;
        keepAlive = false;
        head = null;
        input.noBody();
        responder.begin();
        exchange.reject(status, why, peerIp);
    }

    // ======================================================================== the request body, in place

    @Override
    public BodySource requestBody() {
        return input.hasBody() ? input : null;
    }

    @Override
    public boolean requestBodyRetained() {
        return input.held();
    }

    @Override
    public boolean rewindRequestBody() {
        return input.rewind();
    }

    @Override
    public int requestBodyStatus() {
        return input.errorStatus();
    }

    @Override
    public String requestBodyError() {
        return input.error();
    }

    // ======================================================================== ClientSide: the response

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public String peerIp() {
        return peerIp;
    }

    @Override
    public boolean trustedPeer() {
        return trustedPeer;
    }

    @Override
    public String localAuthority() {
        return localAuthority;
    }

    @Override
    public String clientCertificateSubject() {
        return transport instanceof TlsTransport tls ? tls.peerSubject() : null;
    }

    @Override
    public boolean streamsBodies() {
        return head != null && head.minorVersion() >= 1;
    }

    @Override
    public boolean compresses() {
        return streamsBodies(); // compressed bodies are chunked
    }

    @Override
    public void interim(HttpHead h) {
        if (head != null && head.minorVersion() >= 1) { // 100 Continue goes to HTTP/1.1 clients only
            responder.interim(h);
            responseData();
        }
    }

    @Override
    public void responseHead(HttpHead h, long contentLength, boolean hasBody, int gzipLevel) {
        try {
            responseReusable = responder.head(h, exchange.policy(), head.minorVersion(),
                    keepAlive && !ctx.draining(), contentLength, hasBody ? exchange.responseBody() : null, gzipLevel);
        } catch (IllegalStateException e) {
            exchange.abort("aborted");
        }
    }

    @Override
    public void responseData() {
        if (state != State.EXCHANGE && state != State.LINGER) {
            return;
        }
        Http1Responder.Progress p;
        try {
            p = responder.write(transport);
        } catch (IOException e) {
            LOG.debug("{}: writing to client {} failed: {}", ctx.name, peer, e.toString());
            clientGone();
            return;
        }
        if (p != Http1Responder.Progress.BLOCKED) {
            touch();
        }
        switch (p) {
            case DONE -> {
                if (state == State.LINGER) {
                    lingerFlushed();
                } else {
                    exchange.responseWritten();
                }
            }
            case IDLE -> {
                if (state == State.LINGER) {
                    lingerFlushed();
                }
            }
            case NEED_DATA -> exchange.responseDrained();
            case FAILED -> exchange.responseBodyFailed();
            default -> { }
        }
    }

    @Override
    public void respond(LocalReply reply) {
        boolean reuse = !reply.close() && keepAlive && !ctx.draining();
        responseReusable = reuse;
        responder.local(reply, head == null ? 1 : head.minorVersion(), reuse,
                head != null && head.method() == HttpHead.Method.HEAD);
        responseData();
    }

    @Override
    public void tunnel(HttpHead h, Http1Upstream upstream) {
        ByteBuffer toClient = loop.buffers().take();
        ByteBuffer pending = responder.takePending();
        if (pending != null) { // interim responses sent before the switch keep their place
            toClient.put(pending);
            loop.buffers().give(pending);
        }
        io.jlb.http.internal.HeadWriter.response(h, toClient, ctx.forwarding, "upgrade", false, true,
                io.jlb.http.internal.HeadWriter.Drop.NONE, io.jlb.http.internal.HeadWriter.Extra.NONE);
        ByteBuffer from = upstream.responseBuffer();
        int leftover = from.position() - h.end();
        if (leftover > toClient.remaining()) {
            loop.buffers().give(toClient);
            upstream.close();
            exchange.abort("aborted");
            return;
        }
        toClient.put(toClient.position(), from, h.end(), leftover);
        toClient.position(toClient.position() + leftover).flip();
        ByteBuffer toUpstream = input.takeUnread();
        upstream.detach();
        timer.cancel();
        state = State.TUNNEL;
        tunnel = Tunnel.start(loop, transport, upstream.transport(), ctx.tunnelIdleNanos, upstream.member, toUpstream,
                toClient, this::tunnelClosed);
    }

    private void tunnelClosed() {
        LOG.debug("{}: tunnel for {} ended", ctx.name, peer);
        exchange.tunnelClosed();
        close();
    }

    @Override
    public long responseBytes() {
        return tunnel != null ? tunnel.bytesToClient() : responder.bytes();
    }

    @Override
    public void ended(boolean reusable) {
        if (state == State.TUNNEL || state == State.CLOSED) {
            return;
        }
        exchange.recycle();
        boolean requestRead = input.bodyRead();
        if (reusable && responseReusable && keepAlive && requestRead && !clientEof && !ctx.draining()
                && !responder.closeDelimited()) {
            idle(ctx.keepAliveIdleNanos());
            if (input.unread()) {
                loop.execute(nextPipelined); // a pipelined request is already here
            }
        } else {
            closeAfterResponse(requestRead);
        }
    }

    // ======================================================================== closing

    /**
     * Closes after the last response: half-close, then read and discard what the client still sends for a short
     * while, so that unread request bytes do not turn the close into a reset that destroys the response in flight.
     */
    private void closeAfterResponse(boolean requestRead) {
        boolean unread = !requestRead || input.unread();
        if (responder.pending()) {
            state = State.LINGER; // the rest goes out first
            return;
        }
        if (clientEof || !unread) {
            close(); // nothing of the client's is left unread: closing cannot turn into a reset
            return;
        }
        linger();
    }

    private void lingerFlushed() {
        if (clientEof) {
            close();
        } else {
            linger();
        }
    }

    private void linger() {
        try {
            transport.shutdownOutput();
        } catch (IOException e) {
            close();
            return;
        }
        state = State.LINGER;
        input.discard();
        deadline = loop.now() + LINGER_NANOS;
        timer.scheduleAt(deadline);
    }

    /** Closes the connection if it has been waiting for a request since before {@code cutoff} (loop clock). */
    void closeIfIdleSince(long cutoff) {
        if (state == State.H2) {
            h2.closeIfIdleSince(cutoff);
        } else if (state == State.IDLE && idleSince - cutoff <= 0) {
            close();
        }
    }

    /** A graceful close began: a connection waiting for its next request goes now; an exchange finishes first. */
    @Override
    public void drain() {
        if (state == State.H2) {
            h2.drain();
        } else if (state == State.IDLE || state == State.PROXY_HEADER || state == State.LINGER) {
            close();
        }
    }

    /** Cuts the connection now: a failure midway, or a shutdown deadline. */
    @Override
    public void abort() {
        if (state == State.H2) {
            h2.abort();
            return;
        }
        if (state == State.TUNNEL && tunnel != null && !tunnel.finished()) {
            tunnel.abort();
            return;
        }
        if (exchange.active()) {
            exchange.abort("aborted"); // it calls back here once it has ended
            return;
        }
        abortive = true;
        close();
    }

    private void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        exchange.connectionClosed();
        timer.cancel();
        responder.reset();
        input.release();
        transport.close(abortive);
        ctx.connectionClosed(loop, this);
    }

    // ======================================================================== interest and timers

    /**
     * Interest changes cost a system call each, so the client is read across exchanges: unless request body bytes
     * wait for the upstream (backpressure) or the buffer is full. Writing is asked for only while a write is
     * incomplete.
     */
    @Override
    public void settle() {
        if (state == State.CLOSED || state == State.TUNNEL || state == State.H2) {
            return;
        }
        boolean read = !clientEof && input.room();
        if (state == State.EXCHANGE) { // keep reading across exchanges (no interest churn), but not ahead of a body
            read &= input.bodyRead() || input.drained();
        }
        boolean write = responder.pending();
        transport.interest((read ? SelectionKey.OP_READ : 0) | (write ? SelectionKey.OP_WRITE : 0));
        exchange.settleUpstream();
    }

    private void touch() {
        if (state == State.EXCHANGE || state == State.IDLE) {
            deadline = loop.now() + (state == State.IDLE ? ctx.keepAliveIdleNanos() : ctx.clientIdleNanos);
        }
    }

    /** Sets the deadline {@code nanos} from now (lazy: the timer re-checks when it fires). */
    private void deadline(long nanos) {
        deadline = loop.now() + nanos;
        if (!timer.scheduled() || timer.deadline() - deadline > 0) {
            timer.scheduleAt(deadline);
        }
    }

    private void timedOut() {
        if (state == State.CLOSED || state == State.TUNNEL || state == State.H2) {
            return;
        }
        if (loop.now() - deadline < 0) {
            timer.scheduleAt(deadline);
            return;
        }
        switch (state) {
            case HEAD -> {
                if (parser.started(input.end())) {
                    reject(408, "request head not received in time");
                } else {
                    close();
                }
            }
            case EXCHANGE -> {
                if (exchange.active() && exchange.waitingForUpstream()) {
                    deadline(ctx.clientIdleNanos); // not the client's turn: the upstream's timeouts govern
                    return;
                }
                LOG.debug("{}: client {} idle mid-exchange", ctx.name, peer);
                if (exchange.active() && !exchange.responseStarted() && !input.bodyRead()) {
                    exchange.respond(408, "request body not received in time");
                } else {
                    ctx.stats.aborted.increment();
                    abort();
                }
            }
            default -> close();
        }
        settle();
    }
}
