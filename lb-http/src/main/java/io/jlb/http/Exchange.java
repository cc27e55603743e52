package io.jlb.http;

import io.jlb.core.Lease;
import io.jlb.core.Member;
import io.jlb.core.Pool;
import io.jlb.core.PickContext;
import io.jlb.http.internal.BodySource;
import io.jlb.http.internal.HttpHead;
import io.jlb.http.internal.PathNormalizer;
import io.jlb.nio.internal.EventLoop;
import io.jlb.nio.internal.Timer;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request and its response, from the parsed head to the last byte of the response, whatever the protocol on
 * either side: it routes the request, admits it (rate limits, authentication), answers it itself (errors, handler
 * routes, refusals) or sends it upstream (a pick below the breaker's cap or a wait in its queue, connect attempts,
 * retries within the budget), applies the header policies and decides on compression, and ends exactly once: stats,
 * the access-log line, the lease and the retry budget are settled in {@link #end}.
 *
 * <p>The request body flows from the client side's {@link BodySource} to the upstream; the response body from the
 * upstream's to the client side: each side reads into its own buffer and the other writes from it, in place.
 * Backpressure follows: a side reads again only when the other has written what it read. One exchange per HTTP/1.1
 * connection, reused from request to request; loop-confined.
 */
final class Exchange {
    private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);

    private enum Phase { IDLE, ADMITTING, COLLECTING, QUEUED, UPSTREAM, LOCAL, TUNNEL, ENDED }

    private final ListenerContext ctx;
    private final EventLoop loop;
    private final ClientSide client;
    private final ExchangePolicy policy;
    private final RequestView view = new RequestView();
    private final ExchangeLog log;
    private final Admission admission = new Admission(this);
    private final UpstreamAttempt attempt;
    private final HandlerCall handlerCall;
    private final PathNormalizer normalizer;
    /** Fires at the deadline of a wait in the breaker's queue or for an off-loop check. */
    private final Timer timer;
    private Phase phase = Phase.IDLE;
    /** Counts exchanges, so that a decision from a worker thread finds whether its exchange is still this one. */
    private int sequence;

    private HttpHead head;
    private InetSocketAddress clientAddress;
    private String clientIp;
    private boolean trustedPeer;
    private PickContext pickContext;
    private Route route;
    private long start;
    private boolean counted;
    private boolean hasBody;
    private String upgrade;
    private int status;
    private long firstByteNanos;
    private boolean responseStarted;
    private boolean responseWritten;
    private long deadline;
    private String outcome;
    private boolean reusable;

    Exchange(ListenerContext ctx, ClientSide client) {
        this.ctx = ctx;
        this.loop = client.loop();
        this.client = client;
        this.policy = new ExchangePolicy(ctx.assertedHeaders, ctx.requestIdHeaders);
        this.log = new ExchangeLog(ctx.accessLog, ctx.name);
        this.attempt = new UpstreamAttempt(this);
        this.handlerCall = new HandlerCall(this);
        PathNormalization pn = ctx.pathNormalization;
        this.normalizer = new PathNormalizer(pn.mergeSlashes(), pn.encodedSlash().ordinal(), pn.backslash().ordinal());
        this.timer = loop.timer(this::timedOut);
    }

    // ======================================================================== what the parts see

    ListenerContext context() {
        return ctx;
    }

    EventLoop loop() {
        return loop;
    }

    ClientSide client() {
        return client;
    }

    ExchangePolicy policy() {
        return policy;
    }

    RequestView view() {
        return view;
    }

    Route route() {
        return route;
    }

    HttpHead head() {
        return head;
    }

    String clientIp() {
        return clientIp;
    }

    int sequence() {
        return sequence;
    }

    /** The protocols of the upgrade passed on, or null. */
    String upgrade() {
        return upgrade;
    }

    /** Whether the request has a body. */
    boolean hasBody() {
        return hasBody;
    }

    /** Whether the request went upstream whole (a client that goes away after that still gets its answer written). */
    boolean requestForwarded() {
        return phase == Phase.UPSTREAM && attempt.requestSent();
    }

    /** Whether any byte of a response reached the client side. */
    boolean responseStarted() {
        return responseStarted;
    }

    /** Whether the exchange is in progress. */
    boolean active() {
        return phase != Phase.IDLE && phase != Phase.ENDED;
    }

    /** Whether it waits for the upstream (not for the client): the client's inactivity then does not count. */
    boolean waitingForUpstream() {
        return phase == Phase.UPSTREAM && attempt.requestSent() && !responseStarted || phase == Phase.QUEUED
                || phase == Phase.ADMITTING;
    }

    /** The response body, read in place from the upstream. */
    BodySource responseBody() {
        return attempt.responseBody();
    }

    // ======================================================================== from the client side

    /**
     * A request head arrived from {@code clientAddress} ({@code clientIp} as text, the peer's or the one a trusted
     * proxy named); {@code hasBody} when a body follows it.
     */
    void begin(HttpHead h, InetSocketAddress address, String ip, PickContext context, boolean trusted, boolean body) {
        sequence++;
        phase = Phase.ADMITTING;
        head = h;
        clientAddress = address;
        clientIp = ip;
        trustedPeer = trusted;
        pickContext = context;
        hasBody = body;
        route = null;
        upgrade = null;
        status = 0;
        firstByteNanos = -1;
        responseStarted = false;
        responseWritten = false;
        outcome = null;
        reusable = true;
        start = loop.now();
        counted = true;
        ctx.stats.activeRequests.increment();
        policy.begin(ctx.listenerPolicy, clientIp, ctx.scheme, trustedPeer);
        log.begin(h);
        attempt.reset();
        if (h.method() == HttpHead.Method.CONNECT) {
            respond(501, "CONNECT is not supported by this reverse proxy");
            return;
        }
        long limit = ctx.limits.maxBodyBytes();
        if (limit > 0 && h.contentLength() > limit) {
            respond(413, "request body larger than " + limit + " bytes");
            return;
        }
        if (h.hasPath() && !h.normalizePath(normalizer)) {
            respond(400, normalizer.error());
            return;
        }
        view.reset(h, clientAddress);
        route = ctx.router.route(view);
        if (route == null) {
            decline(404, "no route for " + view.host() + view.path());
            return;
        }
        RoutePolicy rp = route.policy();
        policy.begin(rp, clientIp, ctx.scheme, trustedPeer);
        upgrade = h.upgradeRequested() && !hasBody ? Upgrades.allowed(h.header("upgrade"), rp.upgrades) : null;
        if (ctx.clientCertHeader != null) {
            policy.clientCertificate(ctx.clientCertHeader, client.clientCertificateSubject());
        }
        if (rp.active) {
            policy.request(view);
            Admission.Decision d = admission.admit(rp);
            if (d == Admission.Decision.PENDING) {
                waitAtMost(ctx.headerTimeoutNanos);
                return;
            }
            if (d == Admission.Decision.REFUSED) {
                return;
            }
        }
        proceed();
    }

    /** An off-loop check decided; ignored when its exchange is over. */
    void admitted(int seq, Authentication.Result r) {
        if (seq != sequence || phase != Phase.ADMITTING) {
            return;
        }
        timer.cancel();
        if (admission.decided(route.policy(), r) == Admission.Decision.PASS) {
            proceed();
        }
        client.settle();
    }

    /** Goes on with an admitted request: answers it in the proxy (a handler route) or sends it upstream. */
    private void proceed() {
        PickContext affinity = pickContext;
        RoutePolicy rp = route.policy();
        if (rp.policies.hashKey != null) {
            String key = rp.policies.hashKey.of(view);
            if (key != null) {
                affinity = PickContext.ofKey(key);
            }
        }
        if (route.handler() != null) {
            phase = Phase.COLLECTING;
            handlerCall.start(route.handler(), route.maxBodyBytes(), clientAddress);
            return;
        }
        phase = Phase.UPSTREAM;
        if (rp.policies.retries != null && hasBody) {
            client.holdRequestBody(rp.policies.retries.maxBufferedBody());
        }
        attempt.start(affinity);
    }

    /**
     * A request that could not be taken up (a bad or too large head, a timeout mid-head) from {@code ip}: answered
     * with the listener's policies, and the connection closed.
     */
    void reject(int code, String why, String ip) {
        sequence++;
        phase = Phase.ADMITTING;
        head = null;
        clientIp = ip;
        hasBody = false;
        route = null;
        upgrade = null;
        status = 0;
        firstByteNanos = -1;
        responseStarted = false;
        start = loop.now();
        counted = true;
        ctx.stats.activeRequests.increment();
        policy.begin(ctx.listenerPolicy, ip, ctx.scheme, false);
        log.begin(null);
        attempt.reset();
        respond(code, why);
    }

    /** The response body from upstream turned out malformed midway: the exchange is cut. */
    void responseBodyFailed() {
        attempt.responseBodyFailed();
    }

    /** The client connection closed: the exchange in progress ends without a word to it. */
    void connectionClosed() {
        if (active()) {
            attempt.drop();
            finish("client-closed");
        }
    }

    /** More request body bytes arrived. */
    void requestData() {
        if (phase == Phase.COLLECTING) {
            handlerCall.collect();
        } else if (phase == Phase.UPSTREAM) {
            attempt.pumpRequest();
        }
    }

    /** The client side wrote all the response data that was ready: the upstream may read more. */
    void responseDrained() {
        attempt.settleUpstream();
    }

    /** Reconsiders what the upstream connection of the exchange reads and writes (the client side settles). */
    void settleUpstream() {
        if (phase == Phase.UPSTREAM) {
            attempt.settleUpstream();
        }
    }

    /** The client side wrote the whole response, its end included. */
    void responseWritten() {
        responseWritten = true;
        if (phase == Phase.LOCAL) {
            end(outcome, reusable);
            return;
        }
        if (attempt.requestSent()) {
            end("ok", true);
        } else { // the backend answered before the whole request was sent: that is the answer, and the last one
            end("ok", false);
        }
    }

    /** The client went away, or writing to it failed. */
    void clientFailed() {
        if (active()) {
            ctx.stats.aborted.increment();
            abort("aborted");
        }
    }

    /** The tunnel that replaced this exchange closed. */
    void tunnelClosed() {
        if (phase == Phase.TUNNEL) {
            end("tunnel", false);
        }
    }

    // ======================================================================== from the parts

    /** A request the breaker's queue or an off-loop check holds waits at most {@code nanos}. */
    void waitAtMost(long nanos) {
        deadline = loop.now() + nanos;
        timer.scheduleAt(deadline);
    }

    /** The exchange waits in the breaker's queue. */
    void queued(long nanos) {
        phase = Phase.QUEUED;
        waitAtMost(nanos);
    }

    /** A backend freed up while waiting in the breaker's queue. */
    void capacityFreed() {
        if (phase != Phase.QUEUED) {
            return;
        }
        timer.cancel();
        phase = Phase.UPSTREAM;
        attempt.retryPick();
        client.settle();
    }

    private void timedOut() {
        if (loop.now() - deadline < 0) {
            timer.scheduleAt(deadline);
            return;
        }
        if (phase == Phase.QUEUED) {
            attempt.queueTimedOut();
        } else if (phase == Phase.ADMITTING) {
            respond(503, "authentication not decided in time");
        }
        client.settle();
    }

    /** The response head from upstream, final (2xx to 5xx), to send on; {@code gzipLevel} -1 when not compressed. */
    void responseHead(HttpHead h, long contentLength, boolean body, int gzipLevel) {
        status = h.status();
        responseStarted = true;
        firstByteNanos = loop.now() - start;
        ctx.stats.response(status);
        client.responseHead(h, contentLength, body, gzipLevel);
    }

    /** The upstream switched protocols: the client side turns into a tunnel. */
    void tunnel(HttpHead h, Http1Upstream upstream) {
        status = 101;
        responseStarted = true;
        phase = Phase.TUNNEL;
        ctx.stats.upgrades.increment();
        ctx.stats.response(101);
        client.tunnel(h, upstream);
    }

    /** Reports the first-byte time of the attempt that answered. */
    long sinceStart() {
        return loop.now() - start;
    }

    // ======================================================================== answers of the proxy's own

    /**
     * Answers an error in the proxy and closes the connection after: the request is not read further. When the
     * response has already begun, the connection is cut instead.
     */
    void respond(int code, String why, String... fields) {
        answer(LocalReply.text(code, why, true).with(java.util.List.of(fields)), "local");
    }

    /**
     * Answers a refusal of a policy (401, 403, 429): the connection stays open for the next request when the request
     * has no body to skip and asks for no upgrade.
     */
    void refuse(int code, String why, String... fields) {
        answer(LocalReply.text(code, why, hasBody || upgrade != null).with(java.util.List.of(fields)), "refused");
    }

    /**
     * Answers a request that goes nowhere (no route, no backend): like a refusal, the connection stays open when
     * there is no body to skip.
     */
    void decline(int code, String why) {
        answer(LocalReply.text(code, why, hasBody || upgrade != null), "local");
    }

    /** Answers with a handler's reply. */
    void handled(LocalReply reply) {
        answer(reply, "handled");
    }

    private void answer(LocalReply reply, String how) {
        if (phase == Phase.ENDED || phase == Phase.IDLE) {
            return;
        }
        if (responseStarted) {
            ctx.stats.aborted.increment();
            abort("aborted");
            return;
        }
        timer.cancel();
        attempt.drop();
        java.util.List<String> lines = new java.util.ArrayList<>(policy.localFields(n -> reply.has(n)));
        if (policy.requestId != null) {
            lines.add(policy.policy.policies.requestIdHeader + ": " + policy.requestId);
        }
        LocalReply full = reply.with(lines);
        phase = Phase.LOCAL;
        outcome = how;
        reusable = !full.close();
        status = full.status();
        responseStarted = true;
        ctx.stats.localResponses.increment();
        ctx.stats.response(status);
        client.respond(full);
    }

    /** Whether a handler reply's field {@code name} gives way to a response rule of the route. */
    boolean dropsLocal(String name) {
        return policy.dropsLocal(name);
    }

    // ======================================================================== the end

    /** Cuts the exchange: the upstream and the client connection are closed, the exchange ends. */
    void abort(String how) {
        if (phase == Phase.ENDED || phase == Phase.IDLE) {
            client.abort();
            return;
        }
        attempt.drop();
        finish(how);
        client.abort();
    }

    /** Ends the exchange once: stats, the access log, the lease, the retry budget; the client side goes on. */
    void end(String how, boolean reuse) {
        if (phase == Phase.ENDED || phase == Phase.IDLE) {
            return;
        }
        boolean forwarded = how.equals("ok");
        if (forwarded) {
            long total = loop.now() - start;
            attempt.recordResponse(status, firstByteNanos, total);
            ctx.stats.firstByteTimes.record(firstByteNanos);
            ctx.stats.durations.record(total);
        }
        attempt.finish(forwarded && reuse);
        finish(how);
        client.ended(reuse);
    }

    private void finish(String how) {
        phase = Phase.ENDED;
        timer.cancel();
        if (counted) {
            counted = false;
            ctx.stats.activeRequests.decrement();
        }
        handlerCall.reset();
        if (log.pending()) {
            log.write(clientIp, status, client.responseBytes(), attempt.poolName(),
                    attempt.upstreamAuthority(), attempt.attempts(), firstByteNanos, loop.now() - start,
                    policy.requestId, how);
        }
        attempt.releaseLease();
    }

    /** Whether the last exchange ended and the next may begin. */
    boolean idle() {
        return phase == Phase.IDLE || phase == Phase.ENDED;
    }

    /** A reused exchange waiting for its next request. */
    void recycle() {
        phase = Phase.IDLE;
        head = null;
        route = null;
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    Logger log() {
        return LOG;
    }

    /** The member that answered, for response templates and the sticky cookie. */
    Member answeringMember() {
        return attempt.tried();
    }

    /** The pool the request was sent to, or null. */
    Pool pool() {
        return attempt.pool();
    }

    /** The lease of the attempt in progress, or null. */
    Lease lease() {
        return attempt.lease();
    }
}
