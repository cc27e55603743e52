package io.jlb.http;

import io.jlb.core.Member;
import io.jlb.http.internal.BodyDecoder;
import io.jlb.http.internal.BodyEncoder;
import io.jlb.http.internal.BodySource;
import io.jlb.http.internal.HeadParser;
import io.jlb.http.internal.HttpHead;
import io.jlb.nio.ClientTls;
import io.jlb.nio.internal.EventLoop;
import io.jlb.nio.internal.IoHandler;
import io.jlb.nio.internal.Timer;
import io.jlb.nio.internal.TlsTransport;
import io.jlb.nio.internal.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;

/**
 * One HTTP/1.1 connection to a backend, on one loop: lent to an exchange's {@link UpstreamAttempt} to send a
 * request (the head the attempt wrote, then the body from the client side, framed by the proxy) and read the
 * response (1xx passed on, the final head handed up, the body made available in place as a {@link BodySource});
 * then returned to its loop's {@link UpstreamPool} when both messages ended cleanly, or closed. While idle in the
 * pool it holds no buffer and watches for the backend closing it.
 */
final class Http1Upstream implements IoHandler, BodySource {
    private final EventLoop loop;
    private final ListenerContext ctx;
    final Member member;
    private final Timer timer;
    private final HeadParser parser;
    private final FramedWriter writer = new FramedWriter();
    private final BodyDecoder.Length lengthBody = BodyDecoder.length(0);
    private final BodyDecoder.Chunked chunkedBody;
    private final BodyDecoder.UntilClose untilCloseBody = BodyDecoder.untilClose();
    private Transport transport;
    private UpstreamAttempt owner;
    private boolean connected;
    private boolean reused;
    private long connectStart;
    private long deadline;
    private boolean writeBlocked;
    /** Response bytes read; [inStart, position) not yet taken. Null while idle. */
    private ByteBuffer in;
    private int inStart;
    private int dataEnd;
    private boolean headSeen;
    private boolean bodyAccepted;
    private boolean keepAlive;
    private BodyDecoder body;
    private boolean requestDone;
    private boolean failed;
    private boolean ended;

    private Http1Upstream(EventLoop loop, ListenerContext ctx, Member member) {
        this.loop = loop;
        this.ctx = ctx;
        this.member = member;
        this.timer = loop.timer(this::timedOut);
        this.parser = new HeadParser(false, 8 * 1024, ctx.maxResponseHeadBytes, 256);
        this.chunkedBody = BodyDecoder.chunked(ctx.maxResponseHeadBytes);
    }

    /**
     * Starts a new connection to {@code member} for {@code owner}: established at once (see {@link #connected()}) or
     * reported later through {@link UpstreamAttempt#connected}.
     */
    static Http1Upstream connect(EventLoop loop, ListenerContext ctx, Member member, UpstreamAttempt owner)
            throws IOException {
        Http1Upstream u = new Http1Upstream(loop, ctx, member);
        u.owner = owner;
        u.connectStart = loop.now();
        u.transport = ctx.connector.connect(loop, member.backend().address(), u);
        if (u.transport.finishConnect()) {
            u.established(0); // the caller goes on with the connection established
        } else {
            u.transport.interest(SelectionKey.OP_CONNECT);
            u.deadline(loop.now() + ctx.connectTimeoutNanos);
        }
        return u;
    }

    /** Whether this connection had served an exchange before (a stale keep-alive connection may fail first). */
    boolean reused() {
        return reused;
    }

    /** Whether the connection is established (TLS included, once its handshake runs). */
    boolean connected() {
        return connected;
    }

    /** Lends a pooled connection to {@code attempt}. */
    void lend(UpstreamAttempt attempt) {
        owner = attempt;
        reused = true;
        timer.cancel();
        deadline = 0;
    }

    /** The transport, for a tunnel that takes the connection over. */
    Transport transport() {
        return transport;
    }

    /** The TCP connection is up: TLS goes over it when the pool's backends are reached so. */
    private void established(long nanos) throws IOException {
        connected = true;
        member.recordConnect(nanos);
        ClientTls tls = owner == null ? null : ctx.backendTls(owner.pool());
        if (tls != null) {
            TlsTransport t = new TlsTransport(loop, transport.channel(), tls.newEngine(member.backend().host(),
                    member.backend().port()), ctx.handshakes);
            t.register(loop, this);
            t.onWake(() -> ready(SelectionKey.OP_READ | SelectionKey.OP_WRITE));
            transport = t;
        }
    }

    /**
     * Sends a request: {@code head} (read mode; the attempt keeps it for a retry), then {@code requestBody} (null for
     * none), framed chunked or as it is.
     */
    void send(ByteBuffer head, BodySource requestBody, boolean chunked) {
        if (in == null) {
            in = loop.buffers().take();
        }
        in.clear();
        inStart = 0;
        dataEnd = 0;
        headSeen = false;
        bodyAccepted = false;
        body = null;
        requestDone = false;
        failed = false;
        ended = false;
        parser.begin(in, 0);
        writer.begin(head, requestBody, chunked ? BodyEncoder.chunked() : BodyEncoder.PLAIN);
        deadline(loop.now() + ctx.responseTimeoutNanos);
        pumpRequest();
    }

    /** Writes what it can of the request. */
    void pumpRequest() {
        if (owner == null || !connected || requestDone) {
            return;
        }
        FramedWriter.Progress p;
        try {
            p = writer.write(transport);
        } catch (IOException e) {
            broke(Exchange.describe(e));
            return;
        }
        writeBlocked = p == FramedWriter.Progress.BLOCKED;
        switch (p) {
            case DONE -> {
                requestDone = true;
                owner.requestWritten();
            }
            case FAILED -> owner.requestBodyFailed();
            case NEED_DATA -> owner.requestBodyDrained();
            default -> { }
        }
    }

    // ---- events ----

    @Override
    public void ready(int readyOps) {
        if (owner == null) {
            closeIdle(); // an idle pooled connection is readable: the backend closed it (or misbehaved)
            return;
        }
        UpstreamAttempt attempt = owner;
        if (!connected) {
            try {
                if (transport.finishConnect()) {
                    established(loop.now() - connectStart);
                    attempt.connected();
                }
            } catch (IOException e) {
                attempt.connectFailed(Exchange.describe(e), false);
            }
            attempt.settle();
            return;
        }
        try {
            readyOps = transport.onReady(readyOps);
        } catch (IOException e) {
            broke("TLS with the backend failed: " + Exchange.describe(e));
            attempt.settle();
            return;
        }
        if ((readyOps & SelectionKey.OP_WRITE) != 0) {
            pumpRequest();
        }
        if ((readyOps & SelectionKey.OP_READ) != 0 && owner == attempt) {
            readable();
        }
        attempt.settle();
    }

    @Override
    public void failed(Throwable error) {
        if (owner != null) {
            broke(Exchange.describe(error));
        } else {
            close();
        }
    }

    private void readable() {
        if (headSeen && (inStart < in.position() || dataEnd > inStart)) {
            return; // still being written to the client: backpressure
        }
        if (headSeen && inStart == in.position()) {
            in.clear();
            inStart = 0;
            dataEnd = 0;
        }
        if (!in.hasRemaining()) {
            owner.badResponse("response head too large");
            return;
        }
        int n;
        try {
            n = transport.read(in);
        } catch (IOException e) {
            broke(Exchange.describe(e));
            return;
        }
        if (n < 0) {
            endOfStream();
            return;
        }
        if (n == 0) {
            return;
        }
        deadline(loop.now() + ctx.responseTimeoutNanos);
        if (!headSeen) {
            head();
        } else if (bodyAccepted) {
            owner.responseData();
        }
    }

    private void head() {
        while (!headSeen && owner != null) {
            HeadParser.Result r = parser.parse(in.position());
            if (r == HeadParser.Result.NEED_MORE) {
                return;
            }
            if (r == HeadParser.Result.ERROR) {
                owner.badResponse("invalid response from backend: " + parser.errorReason());
                return;
            }
            HttpHead h = parser.head();
            if (h.status() >= 100 && h.status() < 200 && h.status() != 101) {
                owner.interim(h);
                inStart = h.end();
                parser.begin(in, inStart);
                continue;
            }
            headSeen = true;
            owner.responseHead(h); // accepts it (and its body) or drops this connection
        }
    }

    /** The final response head is accepted: its body, delimited as {@code h} says, follows from {@link #inStart}. */
    void acceptBody(HttpHead h, boolean none) {
        bodyAccepted = true;
        inStart = h.end();
        dataEnd = inStart;
        keepAlive = h.keepAlive();
        if (none) {
            body = lengthBody.reset(0);
        } else if (h.chunked()) {
            body = chunkedBody.reset();
        } else if (h.contentLength() >= 0) {
            body = lengthBody.reset(h.contentLength());
        } else {
            body = untilCloseBody.reset();
            keepAlive = false;
        }
    }

    private void endOfStream() {
        if (bodyAccepted && body == untilCloseBody) {
            untilCloseBody.endOfStream();
            keepAlive = false;
            ended = true;
            owner.responseData();
            return;
        }
        broke("backend closed the connection");
    }

    private void broke(String reason) {
        boolean nothingReceived = !headSeen && in != null && in.position() == 0;
        owner.broke(reason, nothingReceived && reused);
    }

    // ---- the response body, in place ----

    @Override
    public boolean ready() {
        if (failed || !bodyAccepted) {
            return false;
        }
        while (dataEnd == inStart && !body.done() && inStart < in.position()) {
            int n = body.step(in, inStart, in.position());
            if (body.error() != null) {
                failed = true;
                return false;
            }
            if (body.data()) {
                dataEnd = inStart + n;
            } else {
                inStart += n;
                dataEnd = inStart;
            }
        }
        return dataEnd > inStart;
    }

    @Override
    public ByteBuffer buffer() {
        return in;
    }

    @Override
    public int from() {
        return inStart;
    }

    @Override
    public int to() {
        return dataEnd;
    }

    @Override
    public void consumed(int n) {
        inStart += n;
    }

    @Override
    public boolean complete() {
        return bodyAccepted && body.done() && dataEnd == inStart;
    }

    @Override
    public boolean failed() {
        return failed;
    }

    @Override
    public BodyDecoder decoder() {
        return body;
    }

    /** What was wrong with the response body. */
    String bodyError() {
        return body == null ? null : body.error();
    }

    // ---- interest, timers, the end ----

    /** Asks for what the exchange's state needs: connect, write the request, read the response. */
    void settle() {
        if (owner == null || transport == null) {
            return;
        }
        if (!connected) {
            transport.interest(SelectionKey.OP_CONNECT);
            return;
        }
        boolean drained = dataEnd == inStart && (in == null || inStart == in.position());
        boolean read = !ended && (!headSeen || (bodyAccepted && !body.done() && drained));
        transport.interest((read ? SelectionKey.OP_READ : 0) | (writeBlocked ? SelectionKey.OP_WRITE : 0));
    }

    /** Whether the connection can serve another exchange: both messages ended cleanly, nothing left over. */
    boolean reusable() {
        return connected && keepAlive && requestDone && bodyAccepted && body.done() && !failed
                && inStart == in.position();
    }

    /** Sets a lazy deadline: the timer fires at it and checks again then, as activity may have moved it. */
    private void deadline(long at) {
        deadline = at;
        if (!timer.scheduled() || timer.deadline() - at > 0) {
            timer.scheduleAt(at);
        }
    }

    private void timedOut() {
        if (deadline == 0) {
            return;
        }
        if (loop.now() - deadline < 0) {
            timer.scheduleAt(deadline);
            return;
        }
        UpstreamAttempt attempt = owner; // the attempt lets this connection go as it handles the timeout
        if (attempt == null) {
            closeIdle();
        } else if (!connected) {
            attempt.connectFailed("connect timeout", true);
            attempt.settle();
        } else {
            attempt.timedOut(headSeen);
        }
    }

    /** Returns the connection to its pool after a clean exchange, where it waits for the next. */
    void park(UpstreamPool pool) {
        owner = null;
        timer.cancel();
        releaseBuffer();
        if (!pool.offer(this)) {
            close();
            return;
        }
        transport.interest(SelectionKey.OP_READ);
        deadline(loop.now() + ctx.backendIdleNanos);
    }

    /** Takes the connection from its owner (a tunnel takes it over); nothing is closed. */
    void detach() {
        owner = null;
        timer.cancel();
        deadline = 0;
        releaseBuffer();
    }

    /** The response bytes read (a tunnel sends on what came after the 101's head). */
    ByteBuffer responseBuffer() {
        return in;
    }

    private void closeIdle() {
        ctx.upstreams(loop).remove(this);
        close();
    }

    private void releaseBuffer() {
        if (in != null) {
            loop.buffers().give(in);
            in = null;
        }
        inStart = 0;
        dataEnd = 0;
    }

    /** Closes the connection. */
    void close() {
        owner = null;
        timer.cancel();
        deadline = 0;
        releaseBuffer();
        if (transport != null) {
            transport.close(false);
        }
    }

    @Override
    public String toString() {
        return "backend connection to " + member.backend();
    }
}
