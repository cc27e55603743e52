package io.jlb.http;

import io.jlb.core.Lease;
import io.jlb.core.Member;
import io.jlb.core.PickContext;
import io.jlb.core.Pool;
import io.jlb.http.internal.BodySource;
import io.jlb.http.internal.HeadWriter;
import io.jlb.http.internal.HttpHead;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The upstream half of an {@link Exchange}: which pool (a sticky cookie may name the backend), a lease on a backend
 * below the breaker's cap (or a wait in its queue), a pooled connection or a new one (other backends tried when a
 * connect fails), the request head written once and sent again on a retry, the decisions on the response head (a
 * retry elsewhere within the budget, a protocol switch, the response policies, compression, what passive detection
 * counts), and at the end the connection back to its pool and the lease closed. One per exchange, reused.
 */
final class UpstreamAttempt {
    private final Exchange ex;
    private final ListenerContext ctx;
    private final io.jlb.http.internal.Forwarding forwarding = new io.jlb.http.internal.Forwarding();
    private Pool pool;
    private PickContext affinity;
    private Member sticky;
    private Lease lease;
    private Member tried;
    private int attempts;
    private Http1Upstream upstream;
    private ByteBuffer requestHead;
    private boolean requestSent;
    private boolean retryBudgetTaken;
    private boolean queued;

    UpstreamAttempt(Exchange ex) {
        this.ex = ex;
        this.ctx = ex.context();
    }

    void reset() {
        pool = null;
        sticky = null;
        lease = null;
        tried = null;
        attempts = 0;
        upstream = null;
        requestSent = false;
        retryBudgetTaken = false;
        queued = false;
    }

    Pool pool() {
        return pool;
    }

    Member tried() {
        return tried;
    }

    Lease lease() {
        return lease;
    }

    int attempts() {
        return attempts;
    }

    String poolName() {
        return pool == null ? null : pool.name();
    }

    String upstreamAuthority() {
        return tried == null ? null : tried.backend().authority();
    }

    boolean requestSent() {
        return requestSent;
    }

    BodySource responseBody() {
        return upstream;
    }

    /** Chooses the pool, writes the request head and sends it to a backend. */
    void start(PickContext context) {
        affinity = context;
        Route route = ex.route();
        RoutePolicy rp = route.policy();
        if (rp.policies.sticky != null) {
            for (Pool p : route.pools()) { // with a split, the cookie keeps the pool too
                sticky = rp.stickyMember(p, ex.policy().stickyToken);
                if (sticky != null) {
                    pool = p;
                    break;
                }
            }
        }
        if (sticky == null) {
            pool = route.pool();
        }
        HttpHead h = ex.head();
        ClientSide client = ex.client();
        requestHead = ex.loop().buffers().take();
        forwarding.peerIp = client.peerIp();
        forwarding.clientIp = ex.clientIp();
        forwarding.trustedPeer = client.trustedPeer();
        forwarding.proto = ctx.scheme;
        forwarding.stripPrefix = route.stripPrefix();
        forwarding.chunked = h.chunked();
        forwarding.upgrade = ex.upgrade();
        forwarding.defaultHost = client.localAuthority();
        try {
            HeadWriter.request(h, requestHead, ctx.forwarding, forwarding, ex.policy().requestDrop, ex.policy());
        } catch (java.nio.BufferOverflowException e) {
            ex.respond(431, "request head too large once rewritten");
            return;
        }
        requestHead.flip();
        next(client);
    }

    /** Leases a backend and sends the request to it, or answers why it cannot. */
    private void next(ClientSide client) {
        CircuitBreaker breaker = ex.policy().policy.policies.circuitBreaker;
        int cap = breaker == null ? 0 : breaker.maxRequestsPerBackend();
        Lease taken = null;
        if (attempts == 0 && sticky != null) {
            taken = cap == 0 ? sticky.acquire() : sticky.tryAcquire(cap);
            if (!taken.found()) {
                taken = null; // at its cap: another backend, and a new cookie
            }
        }
        if (taken == null) {
            taken = pool.acquire(affinity, attempts == 0 ? null : tried, cap);
            if (taken.atCapacity()) {
                waitForCapacity(breaker);
                return;
            }
            if (!taken.found()) {
                if (attempts == 0) {
                    ex.decline(503, "no backend available in pool '" + pool.name() + "'");
                } else {
                    ex.respond(502, "backend connection failed");
                }
                return;
            }
        }
        attempts++;
        tried = taken.member();
        lease = taken;
        Http1Upstream pooled = ctx.upstreams(ex.loop()).take(tried);
        if (pooled != null) {
            upstream = pooled;
            pooled.lend(this);
            connected();
        } else {
            open();
        }
    }

    /** Opens a new connection to {@link #tried}, whose lease is held. */
    private void open() {
        try {
            upstream = Http1Upstream.connect(ex.loop(), ctx, tried, this);
        } catch (IOException | RuntimeException e) { // UnresolvedAddressException and friends are unchecked
            upstream = null;
            connectFailed(Exchange.describe(e), false);
            return;
        }
        if (upstream.connected()) {
            connected();
        }
    }

    /** Every backend is at its cap: wait in the pool's queue for one to free up, or answer 503. */
    private void waitForCapacity(CircuitBreaker breaker) {
        if (breaker.maxQueued() == 0 || !ctx.waiters(pool).offer(ex, breaker.maxQueued())) {
            ctx.stats.overflows.increment();
            ex.decline(503, "every backend of pool '" + pool.name() + "' is at its request limit");
            return;
        }
        queued = true;
        ex.queued(breaker.queueTimeout().toNanos());
    }

    /** Out of the breaker's queue: pick again. */
    void retryPick() {
        queued = false;
        next(ex.client());
    }

    void queueTimedOut() {
        ctx.waiters(pool).remove(ex);
        queued = false;
        ctx.stats.overflows.increment();
        ex.decline(503, "no backend of pool '" + pool.name() + "' freed up in time");
    }

    // ---- from the upstream connection ----

    void connected() {
        requestHead.rewind();
        upstream.send(requestHead, ex.hasBody() ? ex.client().requestBody() : null, ex.head().chunked());
    }

    void connectFailed(String reason, boolean timeout) {
        ctx.stats.connectFailures.increment();
        tried.recordConnectFailure();
        ex.log().debug("{}: connect to {} failed: {}", ctx.name, tried.backend(), reason);
        lease.failure();
        drop();
        if (attempts < ctx.connectAttempts) {
            ctx.stats.retries.increment();
            next(ex.client());
        } else if (timeout) {
            ex.respond(504, "backend connect timeout");
        } else {
            ex.respond(502, "backend connection failed: " + reason);
        }
    }

    void pumpRequest() {
        if (upstream != null) {
            upstream.pumpRequest();
        }
    }

    void requestWritten() {
        requestSent = true;
    }

    /** The upstream wrote all the request body that was ready: the client side may read more. */
    void requestBodyDrained() {
        ex.client().settle();
    }

    void requestBodyFailed() {
        ClientSide client = ex.client();
        ex.log().debug("{}: {}", ctx.name, client.requestBodyError());
        drop();
        ex.respond(client.requestBodyStatus(), client.requestBodyError());
    }

    void interim(HttpHead h) {
        ex.client().interim(h);
    }

    /** The final response head: retry elsewhere, switch protocols, or send it on with the response policies. */
    void responseHead(HttpHead h) {
        int status = h.status();
        if (status == 101) {
            if (ex.upgrade() == null || !Upgrades.accepted(h.header("upgrade"), ex.upgrade())) {
                badResponse(ex.upgrade() == null ? "unrequested protocol switch" : "a switch to a protocol that was not offered");
                return;
            }
            lease.success(ex.sinceStart());
            Http1Upstream u = upstream;
            upstream = null;
            ex.tunnel(h, u);
            return;
        }
        Retries retries = ex.policy().policy.policies.retries;
        if (retries != null && retries.retries(status) && mayRetry(retries)) {
            ex.log().debug("{}: {} answered {}; retrying elsewhere", ctx.name, tried.backend(), status);
            ctx.stats.retries.increment();
            lease.failure();
            drop();
            ex.client().rewindRequestBody();
            requestSent = false;
            next(ex.client());
            return;
        }
        RoutePolicy rp = ex.policy().policy;
        boolean body = !(ex.head().method() == HttpHead.Method.HEAD || status == 204 || status == 304);
        int gzip = -1;
        if (rp.active) {
            ex.policy().backend = tried;
            ex.policy().response(h);
            Compression compression = rp.policies.compression;
            if (compression != null && body && ex.client().compresses() && (h.chunked() || h.contentLength() != 0)
                    && ex.policy().compressResponse(h, compression)) {
                gzip = compression.level();
            }
        }
        if (pool.outlierDetection().failOn().counts(status)) {
            lease.failure();
        } else {
            lease.success(ex.sinceStart());
        }
        upstream.acceptBody(h, !body);
        boolean hasBody = body && (h.chunked() || h.contentLength() != 0);
        ex.responseHead(h, h.chunked() || !body ? -1 : h.contentLength(), hasBody, gzip);
        ex.client().responseData();
    }

    void responseData() {
        ex.client().responseData();
    }

    /** The response body turned out malformed midway. */
    void responseBodyFailed() {
        ex.log().debug("{}: malformed response body from {}: {}", ctx.name, tried.backend(),
                upstream == null ? null : upstream.bodyError());
        ctx.stats.aborted.increment();
        lease.failure();
        ex.abort("aborted");
    }

    /** The backend sent something that is not a response: 502 if nothing was sent on, else the exchange is cut. */
    void badResponse(String why) {
        ex.log().debug("{}: bad response from {}: {}", ctx.name, tried.backend(), why);
        lease.failure();
        drop();
        ex.respond(502, "Bad Gateway: " + why);
    }

    /**
     * The connection failed. A request that is safe to repeat (idempotent, its body still held) on a reused
     * connection the backend closed before answering anything is sent again at once on a new connection; otherwise
     * 502 if nothing was sent on, else the exchange is cut.
     */
    void broke(String reason, boolean staleReusedConnection) {
        if (staleReusedConnection && !ex.responseStarted() && ex.head().method().idempotent()
                && (!ex.hasBody() || ex.client().requestBodyRetained())) {
            ex.log().debug("{}: pooled connection to {} was stale ({}); retrying", ctx.name, tried.backend(), reason);
            ctx.stats.retries.increment();
            closeUpstream();
            ex.client().rewindRequestBody();
            requestSent = false;
            open();
            return;
        }
        if (lease != null) {
            lease.failure();
        }
        if (!ex.responseStarted()) {
            ex.log().debug("{}: backend {} failed before responding: {}", ctx.name, tried.backend(), reason);
            drop();
            ex.respond(502, "backend failed: " + reason);
        } else {
            ex.log().debug("{}: backend {} failed mid-response: {}", ctx.name, tried.backend(), reason);
            ctx.stats.aborted.increment();
            ex.abort("aborted");
        }
    }

    /** No answer in time: 504 before the response began, else the exchange is cut. */
    void timedOut(boolean headSeen) {
        lease.failure();
        if (!ex.responseStarted() && !headSeen) {
            drop();
            ex.respond(504, "backend did not answer in time");
        } else {
            ex.log().debug("{}: backend {} stalled mid-response", ctx.name, tried.backend());
            ctx.stats.aborted.increment();
            ex.abort("aborted");
        }
        ex.client().settle();
    }

    /**
     * Whether the exchange may be tried again elsewhere: attempts are left, nothing reached the client yet, the
     * request can be sent again (no body, or all of it held) and is idempotent or had its body held, and the retry
     * budget allows one more retry in flight.
     */
    private boolean mayRetry(Retries retries) {
        if (attempts >= retries.attempts() || ex.responseStarted() || ex.upgrade() != null) {
            return false;
        }
        boolean retained = ex.hasBody() && ex.client().requestBodyRetained();
        if ((ex.hasBody() && !retained) || !(ex.head().method().idempotent() || retained)) {
            return false;
        }
        if (retryBudgetTaken) {
            return true; // this exchange already holds its share of the budget
        }
        if (!ctx.takeRetryBudget(retries)) {
            ctx.stats.retriesRefused.increment();
            return false;
        }
        retryBudgetTaken = true;
        return true;
    }

    // ---- interest and the end ----

    /** Reconsiders what both sides read and write. */
    void settle() {
        ex.client().settle(); // settles the upstream too
    }

    /** Reconsiders what the upstream connection reads and writes. */
    void settleUpstream() {
        if (upstream != null) {
            upstream.settle();
        }
    }

    void recordResponse(int status, long firstByteNanos, long totalNanos) {
        tried.recordResponse(status, firstByteNanos, totalNanos);
    }

    /** The exchange ended: the connection back to its pool after a clean exchange, else closed. */
    void finish(boolean clean) {
        if (upstream != null) {
            Http1Upstream u = upstream;
            upstream = null;
            if (clean && u.reusable()) {
                u.park(ctx.upstreams(ex.loop()));
            } else {
                u.close();
            }
        }
        if (requestHead != null) {
            ex.loop().buffers().give(requestHead);
            requestHead = null;
        }
    }

    /** Closes the connection of this attempt and releases its lease. */
    void drop() {
        closeUpstream();
        releaseLease();
    }

    private void closeUpstream() {
        if (upstream != null) {
            upstream.close();
            upstream = null;
        }
    }

    /** Closes the lease, gives back the retry budget and the queue place; a request waiting for this pool may go. */
    void releaseLease() {
        if (retryBudgetTaken) {
            retryBudgetTaken = false;
            ctx.returnRetryBudget();
        }
        if (queued) {
            queued = false;
            ctx.waiters(pool).remove(ex);
        }
        if (lease == null) {
            return;
        }
        lease.close();
        lease = null;
        if (ex.policy().policy.policies.circuitBreaker != null && pool != null) {
            ctx.capacityFreed(pool);
        }
    }
}
