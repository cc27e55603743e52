package io.jlb.http;

import io.jlb.core.Lease;
import io.jlb.core.Member;
import io.jlb.core.Pick;
import io.jlb.core.PickContext;
import io.jlb.core.Pool;
import io.jlb.http.internal.ChunkedEncoding;
import io.jlb.http.internal.ChunkedFramer;
import io.jlb.http.internal.Forwarding;
import io.jlb.http.internal.HeadParser;
import io.jlb.http.internal.HeadWriter;
import io.jlb.http.internal.HttpHead;
import io.jlb.http.internal.PathNormalizer;
import io.jlb.nio.AccessLog;
import io.jlb.nio.internal.Addresses;
import io.jlb.nio.internal.EventLoop;
import io.jlb.nio.internal.IoHandler;
import io.jlb.nio.internal.OffLoop;
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
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of an {@link HttpProxy}, from accept to close, on one loop.
 *
 * <p>Requests are handled one at a time, in order (pipelined requests wait in the input buffer, so responses go
 * back in request order). For each: parse the head; route it; pick a backend and take a pooled connection to it or
 * open one (trying other backends when a connect fails); write the rewritten head; stream the body as it arrives,
 * following its framing (Content-Length or chunked) so the message ends exactly where it does; parse the
 * response head, relay 1xx interim responses, rewrite and send the final head; stream the response body the same
 * way; then return the backend connection to the pool when both messages ended cleanly, and go on with the next
 * request or close.
 *
 * <p>Bodies are never copied between buffers: bytes are written to the other side straight from the buffer they
 * were read into. Backpressure is the relay's: while bytes wait to be written to one side, the other is not read.
 * An exchange that fails before its response began gets a response from the proxy (400, 404, 408, 413, 431,
 * 501, 502, 503, 504, 505); after that, the connection is cut. A 101 response turns both connections into a
 * {@link Relay} tunnel.
 */
final class ClientConnection implements IoHandler, ServerRuntime.Connection, Relay.Observer {
    private static final String[] HTTP_1_1 = {"http/1.1"};
    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);
    private static final long LINGER_NANOS = 2_000_000_000L;

    private enum State { PROXY_HEADER, IDLE, HEAD, EXCHANGE, LOCAL, LINGER, TUNNEL, CLOSED }

    private enum Framing { NONE, LENGTH, CHUNKED, CLOSE }

    private final HttpProxy proxy;
    private final EventLoop loop;
    private final SocketChannel channel;
    /** Plain TCP, or TLS when the listener terminates it (set up after a PROXY header, if one is expected). */
    private Transport transport;
    private boolean abortive;
    private final HeadParser parser;
    private final HeadParser responseParser;
    private final RequestView view = new RequestView();
    private final ChunkedFramer requestChunks;
    private final ChunkedFramer responseChunks;
    private final Timer timer;
    private SelectionKey key;
    private InetSocketAddress client;
    private InetSocketAddress local;
    /** The peer's address as text: the connection's, or the PROXY protocol's source. */
    private String peerIp;
    /** Whether the peer is a trusted proxy (its X-Forwarded-For names the client). */
    private boolean trustedPeer;
    /** The client of the request in progress: the peer, or the address a trusted peer named. */
    private String clientIp;
    private String localAuthority;
    private PickContext pickContext;
    private State state;
    private int interest;
    private long deadline;
    /** When the connection began waiting for its next request (loop clock). */
    private long idleSince;
    private boolean clientEof;

    /** Bytes from the client: [inStart, in.position()) are not yet consumed. */
    private ByteBuffer in;
    private int inStart;
    /** Bytes for the client not yet written (a response head, a local response), in read mode. */
    private ByteBuffer out;

    // ---- the exchange in progress ----
    private Pool pool;
    private Route route;
    private Lease lease;
    private Member tried;
    private int attempts;
    private BackendConnection backend;
    private ByteBuffer requestHead;
    private boolean headMethod;
    private int clientMinor;
    private boolean clientKeepAlive;
    /** Whether the request's upgrade is passed on (to a protocol its route allows); then {@code forwarding.upgrade}. */
    private boolean upgrade;
    private Framing requestFraming;
    private long requestRemaining;
    private int requestFramedEnd;
    private boolean requestFramingDone;
    private boolean requestDone;
    /** Whether the current request was read to its last byte (false from the first byte of its head). */
    private boolean requestRead = true;
    private long requestBodyBytes;
    private boolean responseHeadDone;
    private Framing responseFraming;
    private long responseRemaining;
    private int responseSendEnd;
    private boolean responseFramingDone;
    private boolean responseDone;
    private boolean responseStarted;
    private boolean dechunk;
    private boolean keepAliveAfter;
    private boolean backendReusable;
    private long exchangeStart;
    private long firstByteNanos;
    private int status;
    private Relay tunnel;
    // A request a handler route answers in the proxy: its head as objects, its body collected.
    private boolean handled;
    private Request.Builder localRequest;
    private java.io.ByteArrayOutputStream localBody;
    private long localLimit;
    private ByteBuffer localReply;
    // Policies of the exchange in progress: header changes, request id, affinity, retries, the breaker's queue.
    private final ExchangePolicy policy;
    /** What the forwarded request head says about the client, the framing and an upgrade. */
    private final Forwarding forwarding = new Forwarding();
    private final PathNormalizer normalizer;
    /**
     * Chunk framing the proxy writes between body data, in read mode: before the request's next data to the backend,
     * before the response's next data to the client. Small buffers of their own; a larger one only for trailers.
     */
    private final ByteBuffer requestChunkBuffer = ByteBuffer.allocate(ChunkedEncoding.MAX_FRAMING).flip();
    private final ByteBuffer responseChunkBuffer = ByteBuffer.allocate(ChunkedEncoding.MAX_FRAMING).flip();
    private ByteBuffer requestChunkFraming = requestChunkBuffer;
    private ByteBuffer responseChunkFraming = responseChunkBuffer;
    private final ByteBuffer[][] gathers = {new ByteBuffer[1], new ByteBuffer[2], new ByteBuffer[3]};
    /** How many bytes the last {@link #writeGathered} wrote, of every buffer. */
    private long gatheredBytes;
    /** Goes on with a pipelined request from the loop's task queue, not from inside the exchange that ended. */
    private final Runnable nextPipelined = this::nextPipelined;
    private PickContext exchangeContext;
    private Handler localHandler;
    /** Whether the local answer in progress is a policy's refusal (401, 403, 429) rather than a handler route's. */
    private boolean refusal;
    /** Where the request body starts in {@code in} when it is kept to be sent again on a retry; -1 when not. */
    private int retainedBody = -1;
    private boolean retryBudgetTaken;
    private Member stickyMember;
    private long requestContentLength;
    private boolean requestIdempotent;
    private boolean queued;
    private long queuedUntil;
    /** Counts exchanges, so that an answer from a worker thread finds whether its exchange is still the current one. */
    private int exchangeSeq;
    /** Whether the exchange waits for an authentication decided on a worker thread. */
    private boolean awaitingAuth;
    private GzipEncoder gzip;
    // The access-log entry of the exchange in progress, captured only while the log is enabled.
    private boolean logPending;
    private long logStartMillis;
    private String logRequestLine;
    private String logReferer;
    private String logUserAgent;
    private String logRequestId;
    private long responseBytes;

    ClientConnection(HttpProxy proxy, EventLoop loop, SocketChannel channel) {
        this.proxy = proxy;
        this.loop = loop;
        this.channel = channel;
        HttpLimits limits = proxy.limits;
        this.parser = new HeadParser(true, limits.maxRequestLineBytes(), limits.maxHeadBytes(), limits.maxHeaders());
        this.responseParser = new HeadParser(false, 8 * 1024, proxy.maxResponseHeadBytes, 256);
        this.requestChunks = new ChunkedFramer(limits.maxHeadBytes());
        this.requestChunks.dropTrailers(proxy.assertedHeaders);
        this.responseChunks = new ChunkedFramer(proxy.maxResponseHeadBytes);
        this.timer = loop.timer(this::timedOut);
        this.policy = new ExchangePolicy(proxy.assertedHeaders, proxy.requestIdHeaders);
        PathNormalization pn = proxy.pathNormalization;
        this.normalizer = new PathNormalizer(pn.mergeSlashes(), pn.encodedSlash().ordinal(), pn.backslash().ordinal());
    }

    void start() throws IOException {
        client = (InetSocketAddress) channel.getRemoteAddress();
        local = (InetSocketAddress) channel.getLocalAddress();
        peer(client);
        localAuthority = authority(local);
        key = loop.register(channel, 0, this);
        transport = Transport.plain(channel);
        if (proxy.acceptProxyProtocol) {
            state = State.PROXY_HEADER;
            deadline(proxy.headerTimeoutNanos);
        } else {
            startTls(null);
            idle(proxy.headerTimeoutNanos);
        }
        updateInterest();
    }

    /** Takes {@code address} as the peer: the connection's, or the source a PROXY header named. */
    private void peer(InetSocketAddress address) {
        client = address;
        peerIp = Addresses.text(address.getAddress());
        clientIp = peerIp;
        trustedPeer = proxy.trustedProxies.contains(address.getAddress());
        pickContext = PickContext.of(address);
    }

    /**
     * The client of a request from a trusted proxy: the last address in X-Forwarded-For that is not itself a
     * trusted proxy (the peer when there is none, or when one is not an address).
     */
    private void clientFromForwardedFor(HttpHead h) {
        clientIp = peerIp;
        pickContext = PickContext.of(client);
        String chain = h.headerValues("x-forwarded-for");
        if (chain == null) {
            return;
        }
        String[] hops = chain.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            java.net.InetAddress address = Addresses.parseLiteral(hops[i].trim());
            if (address == null) {
                return;
            }
            clientIp = Addresses.text(address);
            pickContext = PickContext.of(new InetSocketAddress(address, 0));
            if (!proxy.trustedProxies.contains(address)) {
                return;
            }
        }
    }

    /** Puts TLS over the connection when the listener terminates it; {@code early} are bytes already read. */
    private void startTls(ByteBuffer early) throws IOException {
        if (proxy.tls == null) {
            return;
        }
        TlsTransport tls = new TlsTransport(loop, channel, proxy.tls.newEngine(HTTP_1_1), OffLoop.handshakes());
        if (early != null && early.hasRemaining()) {
            tls.unread(early);
        }
        tls.onWake(() -> ready(SelectionKey.OP_READ | SelectionKey.OP_WRITE));
        transport = tls;
    }

    /** The subject of the client's verified certificate (mTLS), or null. */
    private String clientCertificateSubject() {
        if (transport instanceof TlsTransport tls && tls.handshakeDone()) {
            try {
                java.security.cert.Certificate[] peer = tls.engine().getSession().getPeerCertificates();
                if (peer.length > 0 && peer[0] instanceof java.security.cert.X509Certificate x) {
                    return x.getSubjectX500Principal().getName();
                }
            } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                return null;
            }
        }
        return null;
    }

    // ======================================================================== client events

    @Override
    public void ready(int readyOps) {
        if (state == State.CLOSED) {
            return;
        }
        try {
            readyOps = transport.onReady(readyOps);
        } catch (IOException e) {
            LOG.debug("{}: TLS with {} failed: {}", proxy.name, client, e.toString());
            proxy.stats.tlsFailures.increment();
            abort();
            return;
        }
        if ((readyOps & SelectionKey.OP_WRITE) != 0) {
            clientWritable();
        }
        if ((readyOps & SelectionKey.OP_READ) != 0 && state != State.CLOSED) {
            clientReadable();
        }
        if (state != State.CLOSED && state != State.TUNNEL) {
            updateInterest();
        }
    }

    private void clientReadable() {
        if (in == null) {
            in = loop.buffers().take();
            inStart = 0;
        } else if (inStart == in.position() && retainedBody < 0) {
            in.clear();
            inStart = 0;
            requestFramedEnd = 0; // everything framed was written: nothing refers to older offsets
        }
        if (!in.hasRemaining()) {
            if (state == State.HEAD || state == State.IDLE) {
                respondLocal(431, "Request Header Fields Too Large", "request head larger than the buffer");
            }
            return; // a body in progress: reading resumes once the buffered bytes are written
        }
        int n;
        try {
            n = transport.read(in);
        } catch (IOException e) {
            LOG.debug("{}: client {} failed: {}", proxy.name, client, e.toString());
            abort();
            return;
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
            case EXCHANGE -> {
                if (handled) {
                    collectLocalBody();
                } else {
                    pumpRequest();
                }
            }
            case LINGER -> {
                in.clear();
                inStart = 0;
            }
            default -> { }
        }
    }

    private void clientEnded() {
        clientEof = true;
        switch (state) {
            case IDLE, PROXY_HEADER, LINGER, LOCAL -> close();
            case HEAD -> close(); // an incomplete head: nobody left to answer
            case EXCHANGE -> {
                if (!requestDone) {
                    LOG.debug("{}: client {} left mid-request", proxy.name, client);
                    abort();
                }
                // else: a half-close after a complete request; the response still goes out, then we close
            }
            default -> { }
        }
    }

    private void clientWritable() {
        if (out != null && !flushOut()) {
            return;
        }
        switch (state) {
            case EXCHANGE -> {
                if (handled) {
                    pumpLocalReply();
                } else {
                    pumpResponse();
                }
            }
            case LOCAL -> afterLocalResponse();
            default -> { }
        }
    }

    /** Writes pending {@link #out}; true when it is empty afterwards. */
    private boolean flushOut() {
        try {
            while (out.hasRemaining()) {
                int n = transport.write(out);
                if (n == 0) {
                    return false;
                }
                responseBytes += n;
            }
        } catch (IOException e) {
            LOG.debug("{}: writing to client {} failed: {}", proxy.name, client, e.toString());
            abort();
            return false;
        }
        touch();
        loop.buffers().give(out);
        out = null;
        return true;
    }

    // ======================================================================== PROXY header and request heads

    private void proxyHeader() {
        ProxyHeader.Result r = ProxyHeader.read(in.duplicate().flip());
        if (r.needMore()) {
            return;
        }
        if (r.invalid()) {
            LOG.debug("{}: closing {}: bad PROXY header: {}", proxy.name, client, r.error());
            close();
            return;
        }
        if (r.source() != null) {
            peer(r.source());
            if (r.destination() != null) {
                local = r.destination();
                localAuthority = authority(local);
            }
        }
        inStart = r.length();
        if (proxy.tls != null) { // what follows the header is the TLS stream
            ByteBuffer early = in.duplicate().flip().position(inStart);
            try {
                startTls(early);
            } catch (IOException e) {
                close();
                return;
            }
            inStart = in.position();
        }
        idle(proxy.headerTimeoutNanos); // releases the buffer when the header came alone
        if (in != null && inStart < in.position()) {
            head();
        }
    }

    /**
     * Waits for the next request, at most {@code timeoutNanos} (the header timeout before the first request, the
     * idle timeout between requests). The connection keeps no buffer while nothing is pending; bytes of a pipelined
     * request are moved to the start of the buffer.
     */
    private void idle(long timeoutNanos) {
        state = State.IDLE;
        idleSince = loop.now();
        if (in != null && inStart == in.position()) {
            loop.buffers().give(in);
            in = null;
            inStart = 0;
        }
        if (in != null && inStart > 0) {
            in.flip().position(inStart);
            in.compact();
            inStart = 0;
        }
        requestFramedEnd = 0;
        deadline(timeoutNanos);
    }

    private void head() {
        if (state == State.IDLE) {
            state = State.HEAD;
            // nothing of the last exchange lingers: a bad request or a timeout here is answered, not cut
            clientIp = peerIp;
            policy.begin(proxy.listenerPolicy, clientIp, proxy.scheme, trustedPeer);
            responseStarted = false;
            requestRead = false;
            parser.begin(in, inStart);
            deadline(proxy.headerTimeoutNanos);
        }
        HeadParser.Result r = parser.parse(in.position());
        if (r == HeadParser.Result.NEED_MORE) {
            if (!in.hasRemaining()) {
                respondLocal(431, "Request Header Fields Too Large", "request head larger than "
                        + in.capacity() + " bytes");
            }
            return;
        }
        proxy.stats.requests.increment();
        exchangeStart = loop.now();
        firstByteNanos = -1;
        responseBytes = 0;
        status = 0;
        attempts = 0;
        if (proxy.accessLog != null && proxy.accessLog.enabled()) {
            beginLog(r == HeadParser.Result.COMPLETE ? parser.head() : null);
        }
        if (r == HeadParser.Result.ERROR) {
            int s = parser.errorStatus();
            LOG.debug("{}: {} sent a bad request: {} ({})", proxy.name, client, parser.errorReason(), s);
            respondLocal(s, reason(s), parser.errorReason());
            return;
        }
        startExchange(parser.head());
    }

    /**
     * Starts the pipelined request waiting in the buffer. Run from the loop's task queue, never from inside the
     * exchange that just ended: a client pipelining hundreds of requests that are each answered at once (refused,
     * say) must not deepen the stack with every one.
     */
    private void nextPipelined() {
        if (state == State.IDLE && in != null && inStart < in.position()) {
            head();
            if (state != State.CLOSED && state != State.TUNNEL) {
                updateInterest();
            }
        }
    }

    // ======================================================================== the exchange

    private void startExchange(HttpHead h) {
        state = State.EXCHANGE;
        exchangeSeq++;
        awaitingAuth = false;
        proxy.stats.activeRequests.increment();
        headMethod = h.method() == HttpHead.Method.HEAD;
        clientMinor = h.minorVersion();
        clientKeepAlive = h.keepAlive();
        upgrade = false;
        attempts = 0;
        responseHeadDone = false;
        responseDone = false;
        responseStarted = false;
        requestBodyBytes = 0;
        status = 0;
        if (h.chunked()) {
            requestFraming = Framing.CHUNKED;
            requestChunks.reset();
        } else if (h.contentLength() > 0) {
            requestFraming = Framing.LENGTH;
            requestRemaining = h.contentLength();
        } else {
            requestFraming = Framing.NONE;
        }
        requestFramingDone = requestFraming == Framing.NONE;
        requestRead = requestFramingDone;
        requestDone = false;
        requestChunkFraming = requestChunkBuffer.clear().flip();
        responseChunkFraming = responseChunkBuffer.clear().flip();
        if (h.method() == HttpHead.Method.CONNECT) {
            respondLocal(501, "Not Implemented", "CONNECT is not supported by this reverse proxy");
            return;
        }
        long limit = proxy.limits.maxBodyBytes();
        if (limit > 0 && h.contentLength() > limit) {
            respondLocal(413, "Content Too Large", "request body larger than " + limit + " bytes");
            return;
        }
        if (h.hasPath() && !h.normalizePath(normalizer)) {
            respondLocal(400, "Bad Request", normalizer.error());
            return;
        }
        if (trustedPeer) {
            clientFromForwardedFor(h);
        }
        view.reset(h, client);
        route = proxy.router.route(view);
        policy.begin(route == null ? proxy.listenerPolicy : route.policy(), clientIp, proxy.scheme, trustedPeer);
        exchangeContext = pickContext;
        if (route == null) {
            respondLocal(404, "Not Found", "no route for " + view.host() + view.path());
            return;
        }
        RoutePolicy rp = route.policy();
        forwarding.upgrade = h.upgradeRequested() && requestFraming == Framing.NONE
                ? Upgrades.allowed(h.header("upgrade"), rp.upgrades) : null;
        upgrade = forwarding.upgrade != null;
        if (proxy.clientCertHeader != null) {
            policy.clientCertificate(proxy.clientCertHeader, clientCertificateSubject());
        }
        if (rp.active && !admit(h, rp)) {
            return;
        }
        forward(h);
    }

    /** Goes on with an admitted request: answers it in the proxy (a handler route) or sends it to a backend. */
    private void forward(HttpHead h) {
        RoutePolicy rp = route.policy();
        if (rp.policies.hashKey != null) {
            String key = rp.policies.hashKey.of(view);
            if (key != null) {
                exchangeContext = PickContext.ofKey(key);
            }
        }
        if (route.handler() != null) {
            localHandler = route.handler();
            startLocal(h);
            return;
        }
        stickyMember = null;
        if (rp.policies.sticky != null) {
            for (Pool p : route.pools()) { // with a split, the cookie keeps the pool too
                stickyMember = rp.stickyMember(p, policy.stickyToken);
                if (stickyMember != null) {
                    pool = p;
                    break;
                }
            }
        }
        if (stickyMember == null) {
            pool = route.pool();
        }
        requestContentLength = h.contentLength();
        requestIdempotent = h.method().idempotent();
        requestHead = loop.buffers().take();
        forwarding.peerIp = peerIp;
        forwarding.clientIp = clientIp;
        forwarding.trustedPeer = trustedPeer;
        forwarding.proto = proxy.scheme;
        forwarding.stripPrefix = route.stripPrefix();
        forwarding.chunked = requestFraming == Framing.CHUNKED;
        forwarding.defaultHost = localAuthority;
        try {
            HeadWriter.request(h, requestHead, proxy.forwarding, forwarding, policy.requestDrop, policy);
        } catch (java.nio.BufferOverflowException e) {
            respondLocal(431, "Request Header Fields Too Large", "request head too large once rewritten");
            return;
        }
        requestHead.flip();
        if (rp.policies.retries != null && requestFraming == Framing.LENGTH
                && h.contentLength() <= rp.policies.retries.maxBufferedBody()
                && h.end() + h.contentLength() <= in.position()) {
            retainedBody = h.end(); // the whole body is here: keep it to send again on a retry
        }
        inStart = h.end();
        requestFramedEnd = inStart;
        deadline(proxy.clientIdleNanos);
        connectBackend();
    }

    /**
     * Runs the route's request policies: the request id, the rate limit, authentication. False when the request
     * was refused (and answered), or when it waits for an authentication running on a worker thread.
     */
    private boolean admit(HttpHead h, RoutePolicy rp) {
        policy.request(view);
        if (rp.authFailures != null && rp.authFailures.exhausted(clientIp, loop.now())) {
            proxy.stats.rateLimited.increment();
            refuse(h, 429, "too many failed authentications", "Retry-After: "
                    + Math.max(1, rp.authFailures.limit().per().toSeconds() / rp.authFailures.limit().rate()));
            return false;
        }
        if (rp.limiter != null && !rp.limiter.limit().afterAuthentication() && !withinLimit(h, rp, null)) {
            return false;
        }
        Authentication auth = rp.policies.authentication;
        if (auth == null) {
            return rp.limiter == null || !rp.limiter.limit().afterAuthentication() || withinLimit(h, rp, null);
        }
        Authentication.Result r = null;
        Supplier<Authentication.Result> slow;
        try {
            slow = auth.offLoop(view);
            if (slow == null) {
                r = auth.authenticate(view);
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: authentication of {} failed", proxy.name, view, e);
            refuse(h, 500, "authentication failed");
            return false;
        }
        if (slow != null) {
            authenticateOffLoop(slow);
            return false;
        }
        return authenticated(h, r);
    }

    /** Applies an authentication's decision: true when the request may go on, else it was refused (and answered). */
    private boolean authenticated(HttpHead h, Authentication.Result r) {
        if (r == null) {
            refuse(h, 500, "authentication failed");
            return false;
        }
        RoutePolicy rp = route.policy();
        if (!r.allowed()) {
            proxy.stats.authFailures.increment();
            if (rp.authFailures != null) {
                rp.authFailures.acquire(clientIp, loop.now());
            }
            if (r.challenge() != null) {
                refuse(h, r.status(), r.reason(), "WWW-Authenticate: " + r.challenge());
            } else {
                refuse(h, r.status(), r.reason());
            }
            return false;
        }
        policy.authenticated(r);
        return rp.limiter == null || !rp.limiter.limit().afterAuthentication() || withinLimit(h, rp, r.identity());
    }

    /** Charges the route's rate limit; false when the request was refused (429, answered). */
    private boolean withinLimit(HttpHead h, RoutePolicy rp, String identity) {
        RateLimiter.Verdict v = rp.limiter.acquire(limitKey(rp.limiter.limit(), identity), loop.now());
        if (v.admitted()) {
            return true;
        }
        proxy.stats.rateLimited.increment();
        long retry = Math.max(1, (v.retryAfterNanos() + 999_999_999L) / 1_000_000_000L);
        long reset = Math.max(1, (v.resetNanos() + 999_999_999L) / 1_000_000_000L);
        refuse(h, 429, "rate limit exceeded", "Retry-After: " + retry,
                "RateLimit-Limit: " + rp.limiter.limit().burst(), "RateLimit-Remaining: 0", "RateLimit-Reset: " + reset);
        return false;
    }

    /**
     * Runs a slow authentication on a worker thread; the exchange waits (its head stays in the input buffer, no
     * further request is parsed) and goes on, on this loop, when the decision comes back.
     */
    private void authenticateOffLoop(Supplier<Authentication.Result> check) {
        int seq = exchangeSeq;
        awaitingAuth = true;
        try {
            OffLoop.checks().execute(() -> {
                Authentication.Result r;
                try {
                    r = check.get();
                } catch (RuntimeException e) {
                    LOG.warn("{}: authentication of a request from {} failed", proxy.name, clientIp, e);
                    r = null;
                }
                Authentication.Result decided = r;
                loop.execute(() -> authDecided(seq, decided));
            });
        } catch (RejectedExecutionException e) {
            awaitingAuth = false;
            respondLocal(503, "Service Unavailable", "too many credentials waiting to be checked");
        }
    }

    /** The decision of an off-loop authentication, back on this loop; ignored when its exchange is over. */
    private void authDecided(int seq, Authentication.Result r) {
        if (state != State.EXCHANGE || seq != exchangeSeq || !awaitingAuth) {
            return;
        }
        awaitingAuth = false;
        HttpHead h = parser.head();
        if (authenticated(h, r)) {
            forward(h);
        }
        if (state != State.CLOSED && state != State.TUNNEL) {
            updateInterest();
        }
    }

    private String limitKey(RateLimit limit, String identity) {
        return switch (limit.key()) {
            case HEADER -> {
                String v = view.header(limit.header());
                yield v != null ? "h:" + v : "c:" + clientIp;
            }
            case IDENTITY -> identity != null ? "i:" + identity : "c:" + clientIp;
            case ROUTE -> route.toString();
            case GLOBAL -> "";
            default -> clientIp;
        };
    }

    /**
     * Answers a refused request (401, 403, 429) in the proxy. Without a body the connection stays open for the
     * next request; with one, it is closed after the answer rather than read through.
     */
    private void refuse(HttpHead h, int status, String why, String... headers) {
        if (requestFraming != Framing.NONE || upgrade) {
            respondLocal(status, reason(status), why, headers);
            return;
        }
        Reply reply = Reply.text(status, why + "\n");
        for (String header : headers) {
            int colon = header.indexOf(':');
            try {
                reply = reply.withHeader(header.substring(0, colon), header.substring(colon + 1).trim());
            } catch (IllegalArgumentException e) {
                LOG.debug("{}: a field of the proxy's own {} was not written: {}", proxy.name, status, e.getMessage());
            }
        }
        Reply fixed = reply;
        localHandler = request -> fixed;
        refusal = true;
        startLocal(h);
    }

    private void connectBackend() {
        CircuitBreaker breaker = policy.policy.policies.circuitBreaker;
        Lease taken = null;
        if (attempts == 0 && stickyMember != null) {
            taken = breaker == null ? stickyMember.acquire() : stickyMember.tryAcquire(breaker.maxRequestsPerBackend());
            if (!taken.found()) {
                taken = null; // at its cap: another backend, and a new cookie
            }
        }
        if (taken == null) {
            Pick pick = attempts == 0 ? pool.pick(exchangeContext) : pool.pickOther(exchangeContext, tried);
            if (!pick.found()) {
                if (attempts == 0) {
                    respondLocal(503, "Service Unavailable", "no backend available in pool '" + pool.name() + "'");
                } else {
                    respondLocal(502, "Bad Gateway", "backend connection failed");
                }
                return;
            }
            taken = breaker == null ? pick.acquire() : leaseBelow(pick, breaker.maxRequestsPerBackend());
            if (taken == null) {
                waitForCapacity(breaker);
                return;
            }
        }
        attempts++;
        tried = taken.member();
        lease = taken;
        BackendConnection pooled = proxy.backends(loop).take(tried);
        if (pooled != null) {
            attach(pooled);
            backendConnected();
        } else {
            openConnection();
        }
    }

    /** A lease on the picked backend or, when it is at its cap, on another below it; null when all are full. */
    private Lease leaseBelow(Pick pick, int cap) {
        for (int i = 0; i <= pool.eligibleCount(); i++) {
            Lease l = pick.member().tryAcquire(cap);
            if (l.found()) {
                return l;
            }
            pick = pool.pickOther(exchangeContext, pick.member());
            if (!pick.found()) {
                return null;
            }
        }
        return null;
    }

    /** Every backend is at its cap: wait in the pool's queue for one to free up, or answer 503. */
    private void waitForCapacity(CircuitBreaker breaker) {
        if (breaker.maxQueued() == 0 || !proxy.waiters(pool).offer(this, breaker.maxQueued())) {
            proxy.stats.overflows.increment();
            respondLocal(503, "Service Unavailable", "every backend of pool '" + pool.name() + "' is at its request limit");
            return;
        }
        queued = true;
        queuedUntil = loop.now() + breaker.queueTimeout().toNanos();
        if (!timer.scheduled() || timer.deadline() - queuedUntil > 0) {
            timer.scheduleAt(queuedUntil);
        }
    }

    EventLoop loop() {
        return loop;
    }

    /** A request of this pool ended somewhere on this listener: this waiting request may try again. */
    void capacityFreed() {
        if (!queued || state != State.EXCHANGE) {
            return;
        }
        queued = false;
        connectBackend();
        if (queued) {
            return; // still full: back in the queue
        }
        updateInterest();
    }

    private void queueTimedOut() {
        proxy.waiters(pool).remove(this);
        queued = false;
        proxy.stats.overflows.increment();
        respondLocal(503, "Service Unavailable", "no backend of pool '" + pool.name() + "' freed up in time");
    }

    /** Closes the lease of this exchange; a request waiting for this pool may then go. */
    private void releaseLease() {
        if (lease == null) {
            return;
        }
        lease.close();
        lease = null;
        if (policy.policy.policies.circuitBreaker != null && pool != null) {
            proxy.capacityFreed(pool);
        }
    }

    /** Opens a new connection to {@link #tried}, whose lease is held. */
    private void openConnection() {
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            BackendConnection bc = new BackendConnection(loop, proxy.backends(loop), tried, ch);
            bc.key = loop.register(ch, 0, bc);
            attach(bc);
            bc.connectStart = loop.now();
            if (ch.connect(tried.backend().address())) {
                bc.connected = true;
                tried.recordConnect(0);
                startBackendTls(bc);
                backendConnected();
            } else {
                bc.interest(SelectionKey.OP_CONNECT);
                bc.deadline(loop.now() + proxy.connectTimeoutNanos);
            }
        } catch (IOException | RuntimeException e) { // UnresolvedAddressException and friends are unchecked
            if (backend == null && ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
            connectFailed(describe(e), false);
        }
    }

    /** Re-encrypts to the backend when its pool says so: TLS over the fresh connection, verified as configured. */
    private void startBackendTls(BackendConnection bc) throws IOException {
        io.jlb.nio.ClientTls tls = proxy.backendTls(pool);
        if (tls == null) {
            return;
        }
        io.jlb.core.Backend b = bc.member.backend();
        TlsTransport t = new TlsTransport(loop, bc.channel, tls.newEngine(b.host(), b.port()), OffLoop.handshakes());
        t.onWake(() -> bc.ready(SelectionKey.OP_READ | SelectionKey.OP_WRITE));
        bc.transport = t;
    }

    private void attach(BackendConnection bc) {
        backend = bc;
        bc.owner = this;
        bc.lastActivity = loop.now();
    }

    void backendReady(BackendConnection bc, int readyOps) {
        if (bc != backend) {
            return;
        }
        if (!bc.connected) {
            try {
                if (bc.channel.finishConnect()) {
                    bc.connected = true;
                    bc.member.recordConnect(loop.now() - bc.connectStart);
                    startBackendTls(bc);
                    backendConnected();
                }
            } catch (IOException e) {
                connectFailed(describe(e), false);
            }
        } else {
            try {
                readyOps = bc.transport.onReady(readyOps);
            } catch (IOException e) {
                backendBroke("TLS with the backend failed: " + describe(e));
                updateInterest();
                return;
            }
            if ((readyOps & SelectionKey.OP_WRITE) != 0) {
                pumpRequest();
            }
            if ((readyOps & SelectionKey.OP_READ) != 0 && backend == bc && state == State.EXCHANGE) {
                backendReadable();
            }
        }
        updateInterest(); // whatever state the exchange ended in: the client may need reading again
    }

    void backendFailed(BackendConnection bc, Throwable error) {
        if (bc == backend) {
            backendBroke(describe(error));
        } else {
            bc.close();
        }
    }

    void backendTimedOut(BackendConnection bc) {
        if (bc != backend) {
            bc.close();
            return;
        }
        if (!bc.connected) {
            connectFailed("connect timeout", true);
        } else if (!responseHeadDone) {
            lease.failure();
            dropBackend();
            respondLocal(504, "Gateway Timeout", "backend did not answer in time");
        } else {
            LOG.debug("{}: backend {} stalled mid-response for {}", proxy.name, bc.member.backend(), client);
            proxy.stats.aborted.increment();
            lease.failure();
            abort();
        }
    }

    private void connectFailed(String reason, boolean timeout) {
        proxy.stats.connectFailures.increment();
        tried.recordConnectFailure();
        LOG.debug("{}: connect to {} failed: {}", proxy.name, tried.backend(), reason);
        lease.failure();
        dropBackend();
        if (attempts < proxy.connectAttempts) {
            proxy.stats.retries.increment();
            connectBackend();
        } else if (timeout) {
            respondLocal(504, "Gateway Timeout", "backend connect timeout");
        } else {
            respondLocal(502, "Bad Gateway", "backend connection failed: " + reason);
        }
    }

    /** Closes the backend connection of this exchange and releases its lease. */
    private void dropBackend() {
        if (backend != null) {
            backend.owner = null;
            backend.close();
            backend = null;
        }
        releaseLease();
    }

    private void backendConnected() {
        BackendConnection bc = backend;
        if (bc.in == null) {
            bc.in = loop.buffers().take();
        }
        bc.in.clear();
        bc.inStart = 0;
        responseParser.begin(bc.in, 0);
        requestHead.rewind();
        bc.deadline(loop.now() + proxy.responseTimeoutNanos);
        pumpRequest();
        if (state == State.EXCHANGE) {
            updateInterest();
        }
    }

    // ---- request: client -> backend ----

    private void pumpRequest() {
        BackendConnection bc = backend;
        if (state != State.EXCHANGE || bc == null || !bc.connected || requestDone) {
            return;
        }
        try {
            if (headPending()) {
                bc.transport.write(requestHead);
                if (requestHead.hasRemaining()) {
                    return;
                }
            }
            while (!requestDone) {
                if (inStart == requestFramedEnd && !requestChunkFraming.hasRemaining()) {
                    if (requestFramingDone) {
                        requestDone = true;
                        break;
                    }
                    if (in == null || inStart == in.position()) {
                        if (clientEof) {
                            abort();
                        }
                        return; // wait for the client
                    }
                    if (!frameRequest()) {
                        return;
                    }
                    continue;
                }
                // The proxy's own chunk framing, then body data, in one gathering write.
                int written = writeGathered(bc.transport, null, requestChunkFraming, in, inStart, requestFramedEnd);
                inStart += written;
                bc.lastActivity = loop.now();
                if (requestChunkFraming.hasRemaining() || inStart < requestFramedEnd) {
                    return; // the backend is full: wait for OP_WRITE; the client is not read meanwhile
                }
                requestChunkFraming = requestChunkBuffer;
            }
        } catch (IOException e) {
            backendBroke(describe(e));
            return;
        }
        if (responseDone) {
            finishExchange();
        }
    }

    /** Advances request framing over the buffered bytes; false when the request was failed. */
    private boolean frameRequest() {
        int end = in.position();
        if (requestFraming == Framing.LENGTH) {
            int n = (int) Math.min(requestRemaining, end - inStart);
            requestRemaining -= n;
            requestFramedEnd = inStart + n;
            requestBodyBytes += n;
            requestFramingDone = requestRemaining == 0;
            requestRead = requestFramingDone;
            return true;
        }
        int n = requestChunks.step(in, inStart, end);
        if (requestChunks.error() != null) {
            failRequestBody(400, "Bad Request", "malformed chunked body: " + requestChunks.error());
            return false;
        }
        if (requestChunks.data()) {
            requestFramedEnd = inStart + n;
        } else { // the client's framing is dropped; the proxy writes its own
            inStart += n;
            requestFramedEnd = inStart;
            requestChunkFraming = reframe(requestChunks, requestChunkBuffer);
        }
        requestBodyBytes = requestChunks.dataBytes();
        long limit = proxy.limits.maxBodyBytes();
        if (limit > 0 && requestBodyBytes > limit) {
            failRequestBody(413, "Content Too Large", "request body larger than " + limit + " bytes");
            return false;
        }
        requestFramingDone = requestChunks.done();
        requestRead = requestFramingDone;
        return true;
    }

    /**
     * The chunk framing to write for what the last step of {@code chunks} read: the end of a chunk's data, the start
     * of the next, or the last chunk with the trailer fields kept. In read mode; {@code small} unless trailers need
     * more room.
     */
    private static ByteBuffer reframe(ChunkedFramer chunks, ByteBuffer small) {
        ByteBuffer b = small;
        if (chunks.done() && ChunkedEncoding.lastLength(chunks.trailersLength()) + 2 > small.capacity()) {
            b = ByteBuffer.allocate(ChunkedEncoding.lastLength(chunks.trailersLength()) + 2);
        }
        b.clear();
        if (chunks.chunkEnded()) {
            ChunkedEncoding.crlf(b);
        }
        if (chunks.chunkStarted()) {
            ChunkedEncoding.size(b, chunks.chunkSize());
        }
        if (chunks.done()) {
            ChunkedEncoding.last(b, chunks);
        }
        return b.flip();
    }

    /** The request body turned out bad midway: answer if the response has not begun, else cut. */
    private void failRequestBody(int code, String reason, String why) {
        LOG.debug("{}: {}: {}", proxy.name, client, why);
        if (responseStarted) {
            proxy.stats.aborted.increment();
            abort();
            return;
        }
        dropBackend();
        respondLocal(code, reason, why);
    }

    // ---- response: backend -> client ----

    private void backendReadable() {
        BackendConnection bc = backend;
        if (responseHeadDone && (out != null || bc.inStart < bc.in.position())) {
            return; // still writing to the client: backpressure
        }
        if (bc.in == null) {
            bc.in = loop.buffers().take();
            bc.inStart = 0;
        }
        if (responseHeadDone && bc.inStart == bc.in.position()) {
            bc.in.clear();
            bc.inStart = 0;
            responseSendEnd = 0;
        }
        if (!bc.in.hasRemaining()) {
            if (!responseHeadDone) {
                lease.failure();
                dropBackend();
                respondLocal(502, "Bad Gateway", "response head too large");
            }
            return;
        }
        int n;
        try {
            n = bc.transport.read(bc.in);
        } catch (IOException e) {
            backendBroke(describe(e));
            return;
        }
        if (n < 0) {
            backendEnded();
            return;
        }
        if (n == 0) {
            return;
        }
        bc.lastActivity = loop.now();
        bc.deadline(bc.lastActivity + proxy.responseTimeoutNanos);
        if (!responseHeadDone) {
            responseHead();
        } else {
            pumpResponse();
        }
    }

    private void responseHead() {
        BackendConnection bc = backend;
        while (true) {
            HeadParser.Result r = responseParser.parse(bc.in.position());
            if (r == HeadParser.Result.NEED_MORE) {
                return;
            }
            if (r == HeadParser.Result.ERROR) {
                LOG.debug("{}: bad response from {}: {}", proxy.name, bc.member.backend(), responseParser.errorReason());
                lease.failure();
                dropBackend();
                respondLocal(502, "Bad Gateway", "invalid response from backend");
                return;
            }
            HttpHead h = responseParser.head();
            if (h.status() == 101) {
                if (!upgrade || !Upgrades.accepted(h.header("upgrade"), forwarding.upgrade)) {
                    lease.failure();
                    dropBackend();
                    respondLocal(502, "Bad Gateway", upgrade ? "a switch to a protocol that was not offered"
                            : "unrequested protocol switch");
                } else {
                    startTunnel(h);
                }
                return;
            }
            if (h.status() < 200) {
                if (clientMinor >= 1) { // interim responses (100 Continue) go to HTTP/1.1 clients only
                    ByteBuffer interim = loop.buffers().take();
                    HeadWriter.response(h, interim, proxy.forwarding, null, false, false, HeadWriter.Drop.NONE,
                            HeadWriter.Extra.NONE);
                    appendOut(interim);
                }
                bc.inStart = h.end();
                responseParser.begin(bc.in, bc.inStart);
                continue;
            }
            finalResponseHead(h);
            return;
        }
    }

    /**
     * Whether this exchange may be tried again elsewhere: attempts are left, nothing reached the client yet, the
     * request can be sent again (no body, or all of it kept) and is idempotent or had its body kept, and the retry
     * budget allows one more retry in flight.
     */
    private boolean mayRetry(Retries retries) {
        if (attempts >= retries.attempts() || out != null || responseStarted || upgrade) {
            return false;
        }
        boolean resendable = requestFraming == Framing.NONE || retainedBody >= 0;
        if (!resendable || !(requestIdempotent || retainedBody >= 0)) {
            return false;
        }
        if (retryBudgetTaken) {
            return true; // this exchange already holds its share of the budget
        }
        if (!proxy.takeRetryBudget(retries)) {
            proxy.stats.retriesRefused.increment();
            return false;
        }
        retryBudgetTaken = true;
        return true;
    }

    /** The backend answered with a retried status: drop that answer unread and send the request to another. */
    private void retryElsewhere(int answered) {
        LOG.debug("{}: {} answered {}; retrying elsewhere", proxy.name, tried.backend(), answered);
        proxy.stats.retries.increment();
        lease.failure();
        dropBackend(); // the rest of that response is not wanted: the connection goes with it
        requestHead.rewind();
        requestDone = false;
        if (retainedBody >= 0) {
            inStart = retainedBody;
            requestFramedEnd = retainedBody;
            requestRemaining = requestContentLength;
            requestFramingDone = false;
            requestBodyBytes = 0;
        }
        connectBackend();
    }

    private void finalResponseHead(HttpHead h) {
        Retries retries = policy.policy.policies.retries;
        if (retries != null && retries.retries(h.status()) && mayRetry(retries)) {
            retryElsewhere(h.status());
            return;
        }
        BackendConnection bc = backend;
        responseHeadDone = true;
        status = h.status();
        if (headMethod || status == 204 || status == 304) {
            responseFraming = Framing.NONE;
        } else if (h.chunked()) {
            responseFraming = Framing.CHUNKED;
            responseChunks.reset();
        } else if (h.contentLength() >= 0) {
            responseFraming = h.contentLength() == 0 ? Framing.NONE : Framing.LENGTH;
            responseRemaining = h.contentLength();
        } else {
            responseFraming = Framing.CLOSE;
        }
        responseFramingDone = responseFraming == Framing.NONE;
        dechunk = responseFraming == Framing.CHUNKED && clientMinor == 0;
        backendReusable = h.keepAlive() && responseFraming != Framing.CLOSE;
        keepAliveAfter = clientKeepAlive && responseFraming != Framing.CLOSE && !dechunk && !proxy.draining();
        String connection = keepAliveAfter ? (clientMinor == 0 ? "keep-alive" : null) : "close";
        ByteBuffer head = loop.buffers().take();
        RoutePolicy rp = policy.policy;
        boolean chunkedOut = responseFraming == Framing.CHUNKED && !dechunk;
        if (rp.active) {
            policy.backend = tried;
            policy.response(h);
            Compression compression = rp.policies.compression;
            if (compression != null && clientMinor >= 1 && responseFraming != Framing.NONE
                    && policy.compressResponse(h, compression)) {
                gzip = new GzipEncoder(compression.level());
                dechunk = responseFraming == Framing.CHUNKED; // the payload alone goes into the compressor
                chunkedOut = true;
            }
        }
        try {
            HeadWriter.response(h, head, proxy.forwarding, connection, chunkedOut,
                    false, rp.active ? policy.responseDrop : HeadWriter.Drop.NONE,
                    rp.active ? policy.responseExtra : HeadWriter.Extra.NONE);
        } catch (java.nio.BufferOverflowException e) {
            loop.buffers().give(head);
            lease.failure();
            dropBackend();
            respondLocal(502, "Bad Gateway", "response head too large once rewritten");
            return;
        }
        appendOut(head);
        responseStarted = true;
        proxy.stats.response(status);
        firstByteNanos = loop.now() - exchangeStart;
        if (pool.outlierDetection().failOn().counts(status)) {
            lease.failure();
        } else {
            lease.success(firstByteNanos);
        }
        loop.buffers().give(requestHead);
        requestHead = null;
        bc.inStart = h.end();
        responseSendEnd = bc.inStart;
        pumpResponse();
    }

    /** Queues {@code buffer} (write mode) behind whatever waits for the client. */
    private void appendOut(ByteBuffer buffer) {
        buffer.flip();
        if (out == null) {
            out = buffer;
            return;
        }
        ByteBuffer joined = out;
        joined.compact();
        if (joined.remaining() >= buffer.remaining()) {
            joined.put(buffer);
            joined.flip();
            loop.buffers().give(buffer);
        } else {
            joined.flip(); // cannot happen with heads below the buffer size; keep the first, drop nothing silently
            throw new IllegalStateException("response heads exceed the buffer");
        }
    }

    private void pumpResponse() {
        BackendConnection bc = backend;
        if (state != State.EXCHANGE || bc == null || !responseHeadDone) {
            return;
        }
        if (gzip != null) {
            pumpCompressed(bc);
            return;
        }
        try {
            while (true) {
                if (bc.inStart == responseSendEnd && !responseChunkFraming.hasRemaining() && !responseFramingDone
                        && bc.inStart < bc.in.position()) {
                    if (!frameResponse()) { // first, so that the head leaves with the first body bytes
                        return;
                    }
                    continue;
                }
                boolean pending = out != null || responseChunkFraming.hasRemaining() || bc.inStart < responseSendEnd;
                if (pending) {
                    // The head, the proxy's chunk framing and body bytes leave in one gathering write.
                    int written = writeGathered(transport, out, responseChunkFraming, bc.in, bc.inStart, responseSendEnd);
                    bc.inStart += written;
                    responseBytes += gatheredBytes;
                    if (gatheredBytes > 0) {
                        touch();
                    }
                    if (out != null && !out.hasRemaining()) {
                        loop.buffers().give(out);
                        out = null;
                    }
                    if (out != null || responseChunkFraming.hasRemaining() || bc.inStart < responseSendEnd) {
                        return; // the client is slow: wait for OP_WRITE; the backend is not read meanwhile
                    }
                    responseChunkFraming = responseChunkBuffer;
                    continue;
                }
                if (responseFramingDone) {
                    responseDone = true;
                    break;
                }
                return; // wait for the backend
            }
        } catch (IOException e) {
            clientWriteFailed(e);
            return;
        }
        responseSent();
    }

    /** The response body through gzip: backend bytes in, compressed chunks out, with the same backpressure. */
    private void pumpCompressed(BackendConnection bc) {
        try {
            while (true) {
                if (bc.inStart == responseSendEnd && !responseFramingDone && bc.inStart < bc.in.position()) {
                    if (!frameResponse()) {
                        return;
                    }
                    continue;
                }
                if (out != null) {
                    writeOut();
                    if (out != null) {
                        return; // the client is slow: wait for OP_WRITE; the backend is not read meanwhile
                    }
                    continue;
                }
                if (bc.inStart < responseSendEnd || gzip.pending()) {
                    ByteBuffer b = loop.buffers().take();
                    bc.inStart += gzip.encode(bc.in, bc.inStart, responseSendEnd, b);
                    queueOut(b);
                    continue;
                }
                if (responseFramingDone) {
                    if (!gzip.done()) {
                        ByteBuffer b = loop.buffers().take();
                        gzip.finish(b);
                        queueOut(b);
                        continue;
                    }
                    responseDone = true;
                    break;
                }
                return; // wait for the backend
            }
        } catch (IOException e) {
            clientWriteFailed(e);
            return;
        }
        responseSent();
    }

    private void clientWriteFailed(IOException e) {
        LOG.debug("{}: writing to client {} failed: {}", proxy.name, client, e.toString());
        proxy.stats.aborted.increment();
        abort();
    }

    /** The response body went out whole: the exchange ends if the request did too. */
    private void responseSent() {
        if (requestDone) {
            finishExchange();
        } else if (requestFraming != Framing.NONE) {
            // The backend answered before the whole request was sent (an early error, say): that is the answer;
            // the rest of the request body is not forwarded and neither connection can be reused.
            backendReusable = false;
            keepAliveAfter = false;
            finishExchange();
        }
    }

    /** Queues a buffer (write mode) for the client, or gives it back when nothing was written into it. */
    private void queueOut(ByteBuffer b) {
        if (b.position() == 0) {
            loop.buffers().give(b);
        } else {
            appendOut(b);
        }
    }

    /** Writes what {@link #out} holds; returns 0 (no body bytes). Clears {@code out} once written. */
    private int writeOut() throws IOException {
        while (out.hasRemaining()) {
            int n = transport.write(out);
            if (n == 0) {
                break;
            }
            responseBytes += n;
        }
        touch();
        if (!out.hasRemaining()) {
            loop.buffers().give(out);
            out = null;
        }
        return 0;
    }

    /**
     * Writes {@code first}, then {@code second}, then bytes [from, to) of {@code source} (a buffer being filled:
     * data up to its position), in one gathering write, as far as {@code channel} takes them; either buffer may be
     * null or empty. Returns the source bytes written, and sets {@link #gatheredBytes} to all bytes written. No
     * allocation: the window is set on the source itself and restored.
     */
    private int writeGathered(Transport channel, ByteBuffer first, ByteBuffer second, ByteBuffer source, int from, int to)
            throws IOException {
        int position = source.position();
        int limit = source.limit();
        source.limit(to).position(from);
        boolean withFirst = first != null && first.hasRemaining();
        boolean withSecond = second != null && second.hasRemaining();
        int count = (withFirst ? 1 : 0) + (withSecond ? 1 : 0) + (from < to ? 1 : 0);
        ByteBuffer[] array = gathers[Math.max(count, 1) - 1];
        int k = 0;
        if (withFirst) {
            array[k++] = first;
        }
        if (withSecond) {
            array[k++] = second;
        }
        if (from < to) {
            array[k] = source;
        }
        long total = 0;
        try {
            while (count > 0 && array[count - 1].hasRemaining()) {
                long n = count == 1 ? channel.write(array[0]) : channel.write(array);
                if (n == 0) {
                    break;
                }
                total += n;
            }
            return source.position() - from;
        } finally {
            source.limit(limit).position(position);
            for (int i = 0; i < array.length; i++) {
                array[i] = null;
            }
            gatheredBytes = total;
        }
    }

    /** Advances response framing over buffered bytes; false when the response was cut. */
    private boolean frameResponse() {
        BackendConnection bc = backend;
        int end = bc.in.position();
        switch (responseFraming) {
            case LENGTH -> {
                int n = (int) Math.min(responseRemaining, end - bc.inStart);
                responseRemaining -= n;
                responseSendEnd = bc.inStart + n;
                responseFramingDone = responseRemaining == 0;
            }
            case CLOSE -> responseSendEnd = end;
            case CHUNKED -> {
                int n = responseChunks.step(bc.in, bc.inStart, end);
                if (responseChunks.error() != null) {
                    return badResponseBody();
                }
                if (responseChunks.data()) {
                    responseSendEnd = bc.inStart + n;
                } else { // the backend's framing is dropped: the proxy writes its own, or none to an HTTP/1.0 client
                    bc.inStart += n;
                    responseSendEnd = bc.inStart;
                    if (!dechunk) {
                        responseChunkFraming = reframe(responseChunks, responseChunkBuffer);
                    }
                }
                responseFramingDone = responseChunks.done();
            }
            default -> responseFramingDone = true;
        }
        return true;
    }

    private boolean badResponseBody() {
        LOG.debug("{}: malformed chunked response from {}: {}", proxy.name, backend.member.backend(), responseChunks.error());
        proxy.stats.aborted.increment();
        lease.failure();
        abort();
        return false;
    }

    private void backendEnded() {
        if (responseHeadDone && responseFraming == Framing.CLOSE) {
            responseFramingDone = true;
            backendReusable = false;
            keepAliveAfter = false;
            responseSendEnd = backend.in.position();
            pumpResponse();
            return;
        }
        backendBroke("backend closed the connection");
    }

    /** The backend connection failed: retry where it is safe, answer 502 if nothing was sent, else cut. */
    private void backendBroke(String reason) {
        BackendConnection bc = backend;
        boolean nothingReceived = !responseHeadDone && bc != null && bc.in != null && bc.in.position() == 0;
        if (bc != null && bc.reused && nothingReceived && requestFraming == Framing.NONE && !responseStarted) {
            // A pooled connection the backend had closed: send the request again on a fresh one.
            LOG.debug("{}: pooled connection to {} was stale ({}); retrying", proxy.name, bc.member.backend(), reason);
            proxy.stats.retries.increment();
            dropBackend();
            lease = tried.acquire();
            openConnection();
            return;
        }
        if (lease != null) {
            lease.failure();
        }
        if (!responseStarted) {
            LOG.debug("{}: backend {} failed before responding: {}", proxy.name, tried.backend(), reason);
            dropBackend();
            respondLocal(502, "Bad Gateway", "backend failed: " + reason);
        } else {
            LOG.debug("{}: backend {} failed mid-response: {}", proxy.name, tried.backend(), reason);
            proxy.stats.aborted.increment();
            abort();
        }
    }

    private void finishExchange() {
        BackendConnection bc = backend;
        proxy.stats.activeRequests.decrement();
        long total = loop.now() - exchangeStart;
        tried.recordResponse(status, firstByteNanos, total);
        proxy.stats.firstByteTimes.record(firstByteNanos);
        proxy.stats.durations.record(total);
        exchangeEnded("ok");
        boolean clean = backendReusable && requestDone && bc.inStart == bc.in.position();
        backend = null;
        bc.owner = null;
        bc.deadline = 0;
        bc.timer.cancel();
        if (clean) {
            proxy.backends(loop).offer(bc);
        } else {
            bc.close();
        }
        releaseLease();
        pool = null;
        route = null;
        tried = null;
        if (keepAliveAfter && requestDone && !clientEof) {
            idle(proxy.keepAliveIdleNanos());
            if (in != null && inStart < in.position()) {
                loop.execute(nextPipelined); // a pipelined request is already here
            }
        } else {
            closeAfterResponse();
        }
    }

    // ======================================================================== handler routes

    /** A handler route: capture the head, collect the body, then answer in the proxy. */
    private void startLocal(HttpHead h) {
        handled = true;
        localRequest = Request.builder(h, client);
        localLimit = route.maxBodyBytes();
        if (requestFraming == Framing.LENGTH && h.contentLength() > localLimit) {
            respondLocal(413, "Content Too Large", "request body larger than " + localLimit + " bytes");
            return;
        }
        localBody = requestFraming == Framing.NONE ? null : new java.io.ByteArrayOutputStream();
        inStart = h.end();
        requestFramedEnd = inStart;
        deadline(proxy.clientIdleNanos);
        collectLocalBody();
    }

    private void collectLocalBody() {
        int end = in == null ? inStart : in.position();
        while (!requestFramingDone && inStart < end) {
            if (requestFraming == Framing.LENGTH) {
                int n = (int) Math.min(requestRemaining, end - inStart);
                append(inStart, n);
                inStart += n;
                requestRemaining -= n;
                requestFramingDone = requestRemaining == 0;
            } else {
                int n = requestChunks.step(in, inStart, end);
                if (requestChunks.error() != null) {
                    respondLocal(400, "Bad Request", "malformed chunked body: " + requestChunks.error());
                    return;
                }
                if (requestChunks.data()) {
                    append(inStart, n);
                }
                inStart += n;
                requestFramingDone = requestChunks.done();
            }
            if (localBody != null && localBody.size() > localLimit) {
                respondLocal(413, "Content Too Large", "request body larger than " + localLimit + " bytes");
                return;
            }
        }
        requestFramedEnd = inStart;
        if (!requestFramingDone) {
            if (clientEof) {
                abort();
            }
            return;
        }
        requestRead = true;
        requestDone = true;
        answerLocally();
    }

    private void append(int from, int n) {
        byte[] chunk = new byte[n];
        in.get(from, chunk);
        localBody.writeBytes(chunk);
    }

    private void answerLocally() {
        Request request = localRequest.body(localBody == null ? new byte[0] : localBody.toByteArray()).build();
        localRequest = null;
        localBody = null;
        Reply reply;
        try {
            reply = localHandler.handle(request);
            if (reply == null) {
                throw new IllegalStateException("handler returned null");
            }
        } catch (Exception e) {
            LOG.warn("{}: handler for {} failed", proxy.name, request, e);
            reply = Reply.text(500, "internal error\n");
        }
        status = reply.status();
        keepAliveAfter = clientKeepAlive && !proxy.draining();
        StringBuilder head = new StringBuilder(128).append("HTTP/1.1 ").append(status).append(' ')
                .append(reason(status)).append("\r\n");
        for (java.util.Map.Entry<String, String> f : reply.headers()) {
            if (!refusal && policy.dropsLocal(f.getKey())) {
                continue; // a response rule replaces or removes it
            }
            head.append(f.getKey()).append(": ").append(f.getValue()).append("\r\n");
        }
        Reply answered = reply;
        java.util.function.Predicate<String> has =
                name -> answered.headers().stream().anyMatch(f -> f.getKey().equalsIgnoreCase(name));
        for (String field : policy.localFields(has)) {
            head.append(field).append("\r\n");
        }
        head.append("Content-Length: ").append(reply.body().length).append("\r\n");
        if (policy.requestId != null) {
            head.append(policy.policy.policies.requestIdHeader).append(": ").append(policy.requestId).append("\r\n");
        }
        if (!keepAliveAfter) {
            head.append("Connection: close\r\n");
        } else if (clientMinor == 0) {
            head.append("Connection: keep-alive\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        ByteBuffer b = loop.buffers().take();
        if (headBytes.length > b.capacity()) {
            loop.buffers().give(b);
            respondLocal(500, "Internal Server Error", "reply head too large");
            return;
        }
        b.put(headBytes);
        byte[] body = headMethod ? new byte[0] : reply.body();
        int inline = Math.min(body.length, b.remaining());
        b.put(body, 0, inline);
        appendOut(b);
        localReply = inline < body.length ? ByteBuffer.wrap(body, inline, body.length - inline) : null;
        responseStarted = true;
        proxy.stats.response(status);
        proxy.stats.localResponses.increment();
        pumpLocalReply();
    }

    private void pumpLocalReply() {
        try {
            if (out != null) {
                writeOut();
                if (out != null) {
                    return;
                }
            }
            while (localReply != null && localReply.hasRemaining()) {
                int n = transport.write(localReply);
                if (n == 0) {
                    return;
                }
                responseBytes += n;
                touch();
            }
        } catch (IOException e) {
            LOG.debug("{}: writing to client {} failed: {}", proxy.name, client, e.toString());
            abort();
            return;
        }
        localReply = null;
        handled = false;
        proxy.stats.activeRequests.decrement();
        exchangeEnded(refusal ? "refused" : "handled");
        refusal = false;
        route = null;
        if (keepAliveAfter && !clientEof) {
            idle(proxy.keepAliveIdleNanos());
            if (in != null && inStart < in.position()) {
                loop.execute(nextPipelined);
            }
        } else {
            closeAfterResponse();
        }
    }

    // ======================================================================== upgrade tunnel

    private void startTunnel(HttpHead h) {
        BackendConnection bc = backend;
        proxy.stats.upgrades.increment();
        proxy.stats.response(101);
        ByteBuffer toClient = loop.buffers().take();
        if (out != null) { // interim responses sent before the switch keep their place
            toClient.put(out);
            loop.buffers().give(out);
            out = null;
        }
        HeadWriter.response(h, toClient, proxy.forwarding, "upgrade", false, true, HeadWriter.Drop.NONE,
                HeadWriter.Extra.NONE);
        int leftover = bc.in.position() - h.end();
        if (leftover > toClient.remaining()) {
            loop.buffers().give(toClient);
            lease.failure();
            dropBackend();
            respondLocal(502, "Bad Gateway", "upgrade response too large");
            return;
        }
        toClient.put(toClient.position(), bc.in, h.end(), leftover);
        toClient.position(toClient.position() + leftover).flip();
        ByteBuffer toBackend = null;
        if (in != null && inStart < in.position()) {
            int n = in.position() - inStart;
            toBackend = loop.buffers().take();
            toBackend.put(0, in, inStart, n);
            toBackend.position(n).flip();
        }
        if (in != null) {
            loop.buffers().give(in);
            in = null;
        }
        if (requestHead != null) {
            loop.buffers().give(requestHead);
            requestHead = null;
        }
        bc.releaseBuffer();
        bc.timer.cancel();
        bc.deadline = 0;
        bc.owner = null;
        timer.cancel();
        lease.success(loop.now() - exchangeStart);
        state = State.TUNNEL;
        tunnel = new Relay(loop, transport, bc.transport, proxy.tunnelIdleNanos, this);
        try {
            tunnel.start(toBackend, toClient);
        } catch (IOException e) {
            tunnel.abort();
        }
    }

    @Override
    public void transferred(boolean aToB, int bytes) {
        if (tried != null) {
            tried.recordTraffic(aToB ? bytes : 0, aToB ? 0 : bytes);
        }
        if (!aToB) {
            responseBytes += bytes;
        }
    }

    @Override
    public void closed(Relay relay, Relay.Outcome outcome, Throwable cause) {
        LOG.debug("{}: tunnel for {} ended: {}", proxy.name, client, outcome);
        proxy.stats.activeRequests.decrement();
        exchangeEnded("tunnel");
        backend = null;
        close();
    }

    // ======================================================================== local responses and closing

    /** Whether one of {@code headers} ({@code Name: value} lines) is named {@code lowerCaseName}. */
    private static boolean hasField(String[] headers, String lowerCaseName) {
        for (String h : headers) {
            if (h.length() > lowerCaseName.length() && h.charAt(lowerCaseName.length()) == ':'
                    && h.regionMatches(true, 0, lowerCaseName, 0, lowerCaseName.length())) {
                return true;
            }
        }
        return false;
    }

    /** Answers the request itself and closes the connection after. The request must not have a response yet. */
    private void respondLocal(int code, String reason, String body, String... headers) {
        if (responseStarted) {
            abort();
            return;
        }
        if (state == State.EXCHANGE) {
            proxy.stats.activeRequests.decrement();
        }
        handled = false;
        localReply = null;
        dropBackend();
        if (requestHead != null) {
            loop.buffers().give(requestHead);
            requestHead = null;
        }
        proxy.stats.localResponses.increment();
        proxy.stats.response(code);
        state = State.LOCAL;
        responseStarted = true;
        status = code;
        ByteBuffer b = loop.buffers().take();
        if (policy.requestId != null) {
            headers = java.util.Arrays.copyOf(headers, headers.length + 1);
            headers[headers.length - 1] = policy.policy.policies.requestIdHeader + ": " + policy.requestId;
        }
        String[] given = headers;
        java.util.List<String> fields = policy.localFields(name -> hasField(given, name));
        if (!fields.isEmpty()) {
            headers = java.util.Arrays.copyOf(headers, headers.length + fields.size());
            for (int i = 0; i < fields.size(); i++) {
                headers[given.length + i] = fields.get(i);
            }
        }
        b.put(HeadWriter.localResponse(code, reason, body + "\n", true, headers));
        if (!logPending && proxy.accessLog != null && proxy.accessLog.enabled()) {
            beginLog(null); // a request cut short (a timeout mid-head): logged with what is known
        }
        responseBytes += b.position();
        exchangeEnded("local");
        appendOut(b);
        deadline(proxy.clientIdleNanos);
        if (flushOut()) {
            afterLocalResponse();
        } else if (state != State.CLOSED) {
            updateInterest();
        }
    }

    private void afterLocalResponse() {
        if (state == State.LOCAL) {
            closeAfterResponse();
        }
    }

    /**
     * Closes after the last response: half-close, then read and discard what the client still sends for a short
     * while, so that unread request bytes do not turn our close into a reset that destroys the response in flight.
     */
    private void closeAfterResponse() {
        if (out != null) {
            state = State.LOCAL;
            updateInterest();
            return;
        }
        boolean unread = !requestRead || (in != null && inStart < in.position());
        if (clientEof || !unread) {
            close(); // nothing of the client's is left unread: closing cannot turn into a reset
            return;
        }
        try {
            transport.shutdownOutput();
        } catch (IOException e) {
            close();
            return;
        }
        state = State.LINGER;
        if (in != null) {
            in.clear();
            inStart = 0;
        }
        deadline = loop.now() + LINGER_NANOS;
        timer.scheduleAt(deadline);
        updateInterest();
    }

    /** Closes the connection if it has been waiting for a request since before {@code cutoff} (loop clock). */
    void closeIfIdleSince(long cutoff) {
        if (state == State.IDLE && idleSince - cutoff <= 0) {
            close();
        }
    }

    /** A graceful close began: a connection waiting for its next request goes now; an exchange finishes first. */
    @Override
    public void drain() {
        if (state == State.IDLE || state == State.PROXY_HEADER || state == State.LINGER) {
            close();
        }
    }

    /** Cuts the connection now: a failure midway, or a shutdown deadline. */
    @Override
    public void abort() {
        if (state == State.TUNNEL && tunnel != null && !tunnel.finished()) {
            tunnel.abort();
            return;
        }
        exchangeEnded("aborted");
        if (state == State.EXCHANGE) {
            proxy.stats.activeRequests.decrement();
        }
        if (backend != null) {
            backend.owner = null;
            backend.close();
            backend = null;
        }
        abortive = true;
        close();
    }

    private void close() {
        if (state == State.CLOSED) {
            return;
        }
        exchangeEnded("client-closed");
        state = State.CLOSED;
        timer.cancel();
        if (backend != null) {
            backend.owner = null;
            backend.close();
            backend = null;
        }
        releaseLease();
        if (in != null) {
            loop.buffers().give(in);
            in = null;
        }
        if (out != null) {
            loop.buffers().give(out);
            out = null;
        }
        if (requestHead != null) {
            loop.buffers().give(requestHead);
            requestHead = null;
        }
        transport.close(abortive);
        proxy.connectionClosed(loop, this);
    }

    // ======================================================================== access log

    private void beginLog(HttpHead h) {
        logPending = true;
        logStartMillis = System.currentTimeMillis();
        if (h == null) {
            logRequestLine = null;
            logReferer = null;
            logUserAgent = null;
            logRequestId = null;
            return;
        }
        logRequestLine = h.methodName() + " " + h.target() + " HTTP/1." + h.minorVersion();
        logReferer = h.header("referer");
        logUserAgent = h.header("user-agent");
        logRequestId = h.header("x-request-id");
    }

    /** The exchange in progress ended ({@code outcome} says how): gives back what it held, logs it once. */
    private void exchangeEnded(String outcome) {
        if (retryBudgetTaken) {
            retryBudgetTaken = false;
            proxy.retriesInFlight.decrementAndGet();
        }
        if (queued) {
            queued = false;
            proxy.waiters(pool).remove(this);
        }
        retainedBody = -1;
        stickyMember = null;
        if (gzip != null) {
            gzip.release();
            gzip = null;
        }
        logExchange(outcome);
    }

    /** Writes the access-log line of the exchange in progress, once; {@code outcome} says how it ended. */
    private void logExchange(String outcome) {
        if (!logPending) {
            return;
        }
        logPending = false;
        StringBuilder before = new StringBuilder(24);
        AccessLog.token(before, clientIp).append(" - -");
        StringBuilder after = new StringBuilder(256).append('"');
        AccessLog.quoted(after, logRequestLine).append("\" ");
        if (status > 0) {
            after.append(status);
        } else {
            after.append('-');
        }
        after.append(' ').append(responseBytes).append(" \"");
        AccessLog.quoted(after, logReferer).append("\" \"");
        AccessLog.quoted(after, logUserAgent).append("\" listener=");
        AccessLog.token(after, proxy.name).append(" pool=");
        AccessLog.token(after, pool == null ? null : pool.name()).append(" upstream=");
        AccessLog.token(after, tried == null ? null : tried.backend().authority()).append(" attempts=").append(attempts)
                .append(" ttfb_ms=");
        AccessLog.millis(after, firstByteNanos).append(" total_ms=");
        AccessLog.millis(after, loop.now() - exchangeStart).append(" request_id=");
        AccessLog.token(after, policy.requestId != null ? policy.requestId : logRequestId).append(" outcome=")
                .append(outcome);
        proxy.accessLog.log(logStartMillis, before.toString(), after.toString());
        logRequestLine = null;
        logReferer = null;
        logUserAgent = null;
        logRequestId = null;
    }

    @Override
    public void failed(Throwable error) {
        LOG.debug("{}: connection of {} failed", proxy.name, client, error);
        abort();
    }

    // ======================================================================== interest and timers

    /**
     * Interest changes cost a system call each, so both sides keep reading across exchanges: the client is read
     * unless framed body bytes still wait for the backend (backpressure) or the buffer is full; the backend is read
     * unless bytes still wait for the client. Writing is asked for only while a write is incomplete.
     */
    private void updateInterest() {
        if (state == State.CLOSED || state == State.TUNNEL) {
            return;
        }
        BackendConnection bc = backend;
        boolean room = in == null || in.hasRemaining() || inStart == in.position();
        boolean read = !clientEof && room;
        boolean write = out != null;
        if (state == State.EXCHANGE && handled) {
            read &= !requestRead;
            write |= localReply != null;
        } else if (state == State.EXCHANGE) {
            read &= inStart == requestFramedEnd && !requestChunkFraming.hasRemaining();
            write |= responseChunkFraming.hasRemaining()
                    || responseHeadDone && bc != null && bc.in != null && bc.inStart < responseSendEnd;
        } else if (state == State.LOCAL) {
            read = false;
        }
        int ops = transport.interestOps((read ? SelectionKey.OP_READ : 0) | (write ? SelectionKey.OP_WRITE : 0));
        if (ops != interest && key.isValid()) {
            interest = ops;
            key.interestOps(ops);
        }
        if (state == State.EXCHANGE && bc != null) {
            if (!bc.connected) {
                bc.interest(SelectionKey.OP_CONNECT);
                return;
            }
            boolean backendWrite = !requestDone && (headPending() || requestChunkFraming.hasRemaining() || inStart < requestFramedEnd);
            boolean backendRead = !responseDone && (!responseHeadDone
                    || (out == null && !responseChunkFraming.hasRemaining() && bc.inStart == responseSendEnd));
            bc.interest((backendRead ? SelectionKey.OP_READ : 0) | (backendWrite ? SelectionKey.OP_WRITE : 0));
        }
    }

    /** Whether bytes of the rewritten request head still wait to be written to the backend. */
    private boolean headPending() {
        return requestHead != null && requestHead.hasRemaining();
    }

    private void touch() {
        if (state == State.EXCHANGE || state == State.IDLE) {
            deadline = loop.now() + proxy.clientIdleNanos;
        }
    }

    /** Sets the client-side deadline {@code nanos} from now (lazy: the timer re-checks when it fires). */
    private void deadline(long nanos) {
        deadline = loop.now() + nanos;
        if (!timer.scheduled() || timer.deadline() - deadline > 0) {
            timer.scheduleAt(deadline);
        }
    }

    private void timedOut() {
        if (state == State.CLOSED || state == State.TUNNEL) {
            return;
        }
        if (queued && loop.now() - queuedUntil >= 0) {
            queueTimedOut();
            return;
        }
        if (loop.now() - deadline < 0) {
            timer.scheduleAt(queued && queuedUntil - deadline < 0 ? queuedUntil : deadline);
            return;
        }
        switch (state) {
            case HEAD -> {
                if (parser.started(in == null ? 0 : in.position())) {
                    respondLocal(408, "Request Timeout", "request head not received in time");
                } else {
                    close();
                }
            }
            case EXCHANGE -> {
                LOG.debug("{}: client {} idle mid-exchange", proxy.name, client);
                if (awaitingAuth) {
                    awaitingAuth = false;
                    respondLocal(503, "Service Unavailable", "authentication not decided in time");
                } else if (!responseStarted && !requestDone) {
                    respondLocal(408, "Request Timeout", "request body not received in time");
                } else {
                    proxy.stats.aborted.increment();
                    abort();
                }
            }
            case LOCAL -> abort();
            default -> close();
        }
    }

    // ======================================================================== helpers

    private static String authority(InetSocketAddress address) {
        String host = address.getAddress() != null ? Addresses.text(address.getAddress()) : address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 303 -> "See Other";
            case 307 -> "Temporary Redirect";
            case 308 -> "Permanent Redirect";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 417 -> "Expectation Failed";
            case 431 -> "Request Header Fields Too Large";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 505 -> "HTTP Version Not Supported";
            default -> status < 400 ? "OK" : "Error";
        };
    }
}
